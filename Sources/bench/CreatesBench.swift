import ArgumentParser
import Foundation

/// Durable creates: N clients, each its own connection with one request in flight.
struct CreatesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "creates", abstract: "Durable creates/s and latency.")
    @OptionGroup var target: Target
    @Option(help: "Concurrent clients (connections).") var clients = 16
    @Option(help: "Seconds to run.") var duration = 5.0
    @Option(help: "Object size in bytes.") var size = 300
    @Option(help: "Namespace to create in.") var namespace = "default"
    @Option(help: "Name prefix (runs must not collide).") var prefix = "b"

    func run() async throws {
        let r = try await Self.load(target: target, clients: clients, duration: duration, size: size, namespace: namespace, prefix: prefix)
        print(String(format: "skiff-creates clients=%d ops=%d ops_per_s=%.0f %@", clients, r.ops, r.rate, r.latency.summary))
    }

    struct Result {
        var ops: Int
        var rate: Double
        var latency: Latencies
    }

    static func load(target: Target, clients: Int, duration: Double, size: Int, namespace: String, prefix: String,
                     count: Int? = nil) async throws -> Result {
        let config = try target.config("bench")
        var conns: [WireConnection] = []
        for _ in 0..<clients { conns.append(try await WireConnection.connect(config)) }
        let start = now()
        let deadline = start + duration
        let perClient = count.map { ($0 + clients - 1) / clients }
        let results = try await withThrowingTaskGroup(of: Latencies.self) { g in
            for (c, conn) in conns.enumerated() {
                g.addTask {
                    var lat = Latencies()
                    lat.samples.reserveCapacity(200_000)
                    var i = 0
                    while now() < deadline && (perClient.map { i < $0 } ?? true) {
                        let id = conn.reserveID()
                        let obj = payloadObject(name: "\(prefix)-\(c)-\(i)", size: size)
                        var body = Array(#"{"type":"request","id":\#(id),"verb":"create","resource":"configmaps","namespace":"\#(namespace)","object":"#.utf8)
                        body += obj
                        body.append(UInt8(ascii: "}"))
                        let t0 = now()
                        let r = await conn.requestRaw(id: id, frame: Frame.encode(body))
                        if case .failure(let s) = r { throw s }
                        lat.add(now() - t0)
                        i += 1
                    }
                    return lat
                }
            }
            var all = Latencies()
            for try await l in g { all.add(l) }
            return all
        }
        let elapsed = now() - start
        for c in conns { c.close() }
        return Result(ops: results.samples.count, rate: Double(results.samples.count) / elapsed, latency: results)
    }
}

/// Fills the store with N objects (for the RSS measurement).
struct FillBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fill", abstract: "Create N objects of a given size.")
    @OptionGroup var target: Target
    @Option var count = 100_000
    @Option var clients = 64
    @Option var size = 300

    func run() async throws {
        let r = try await CreatesBench.load(target: target, clients: clients, duration: 3600, size: size, namespace: "default",
                                            prefix: "fill", count: count)
        print(String(format: "skiff-fill objects=%d ops_per_s=%.0f", r.ops, r.rate))
    }
}
