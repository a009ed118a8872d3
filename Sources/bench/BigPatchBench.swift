import ArgumentParser
import Foundation
import Synchronization

/// Small creates by other clients while one client patches an object with very many labels:
/// whether per-object work on a huge object holds up everyone else's writes.
struct BigPatchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "big-patch",
                                                    abstract: "Small-create latency while a huge object is patched.")
    @OptionGroup var target: Target
    @Option(help: "Labels on the big ConfigMap.") var labels = 200_000
    @Option(help: "Clients making small creates.") var clients = 4
    @Option(help: "Seconds per phase (creates alone, then beside the patches).") var duration = 10.0

    func run() async throws {
        let config = try target.config("bench-big")
        let patcher = try await WireConnection.connect(config)
        var body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big","labels":{"#
        for i in 0..<labels { body += (i == 0 ? "" : ",") + #""label-\#(i)":"v""# }
        body += "}}}"
        var create = Request(verb: .create, resource: "configmaps", namespace: "default")
        create.object = try JSON.parse(body)
        _ = try await patcher.request(create, timeoutSeconds: 120)

        let alone = try await CreatesBench.load(target: target, clients: clients, duration: duration, size: 300, namespace: "default", prefix: "alone")
        print(String(format: "skiff-big-patch phase=creates-alone clients=%d ops_per_s=%.0f %@", clients, alone.rate, alone.latency.summary))

        let stop = Atomic<Bool>(false)
        let patches = Task { () -> Latencies in
            var lat = Latencies()
            var i = 0
            while !stop.load(ordering: .relaxed) {
                var req = Request(verb: .patch, resource: "configmaps", namespace: "default", name: "big")
                req.patch = ["metadata": ["labels": ["flip": .string(String(i))]]]
                let t0 = now()
                _ = try? await patcher.request(req, timeoutSeconds: 120)
                lat.add(now() - t0)
                i += 1
            }
            return lat
        }
        let beside = try await CreatesBench.load(target: target, clients: clients, duration: duration, size: 300, namespace: "default", prefix: "beside")
        stop.store(true, ordering: .relaxed)
        let p = await patches.value
        print(String(format: "skiff-big-patch phase=creates-beside-patches clients=%d ops_per_s=%.0f %@", clients, beside.rate, beside.latency.summary))
        print("skiff-big-patch phase=patches labels=\(labels) \(p.summary)")
        patcher.close()
    }
}
