import ArgumentParser
import Foundation

/// Fan-out latency: W watchers, each its own connection; the time from sending a write to
/// the moment the last watcher has the event.
struct WatchersBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watchers", abstract: "Time for one event to reach every watcher.")
    @OptionGroup var target: Target
    @Option var watchers = 1000
    @Option var events = 200
    @Option var size = 300

    func run() async throws {
        let config = try target.config("bench-watch")
        // Watchers use bare framed connections that only timestamp event frames, so the
        // measurement is the server's fan-out and the kernel, not a client's JSON parsing.
        let loop = try EventLoop(name: "bench-watch-loop")
        let arrivals = Locked<[Int: [Double]]>([:])
        let ready = Locked(0)
        let seq = Locked(-1)
        var conns: [FramedConnection] = []
        for _ in 0..<watchers {
            let fd = try Socket.connect(to: config.server, timeoutMs: 5000)
            let c = FramedConnection(fd: fd, loop: loop)
            let marker = Array(#""type":"event""#.utf8)
            c.onFrame = { body in
                if body.count > 20 && body.firstRange(of: marker) != nil {
                    let t = now()
                    let k = seq.value
                    arrivals.withLock { $0[k, default: []].append(t) }
                } else if body.firstRange(of: Array(#""type":"welcome""#.utf8)) != nil {
                    ready.withLock { $0 += 1 }
                }
            }
            try c.start()
            c.send(Frame.encode(Hello(token: config.token, client: "bench-watch").json.bytes()))
            var w = Request(id: 1, verb: .watch, resource: "configmaps", namespace: "watchbench")
            w.resourceVersion = "1"
            w.labelSelector = "bench=yes"
            c.send(Frame.encode(w.json.bytes()))
            conns.append(c)
        }
        while ready.value < watchers { try await Task.sleep(for: .milliseconds(20)) }
        let writer = try await WireConnection.connect(config)
        var ns = Request(verb: .create, resource: "namespaces")
        ns.object = ["metadata": ["name": "watchbench"]]
        _ = try? await writer.request(ns)
        try await Task.sleep(for: .milliseconds(500))
        arrivals.withLock { $0 = [:] }
        var fanout = Latencies()
        var first = Latencies()
        for e in 0..<events {
            seq.withLock { $0 = e }
            let id = writer.reserveID()
            var body = Array(#"{"type":"request","id":\#(id),"verb":"create","resource":"configmaps","namespace":"watchbench","object":"#.utf8)
            body += payloadObject(name: "ev-\(e)", size: size)
            body.append(UInt8(ascii: "}"))
            let t0 = now()
            _ = await writer.requestRaw(id: id, frame: Frame.encode(body))
            let deadline = now() + 5
            while (arrivals.withLock { $0[e]?.count ?? 0 }) < watchers && now() < deadline { try await Task.sleep(for: .microseconds(200)) }
            let times = arrivals.withLock { $0[e] ?? [] }
            guard times.count == watchers else { throw ValidationError("event \(e) reached \(times.count)/\(watchers) watchers") }
            fanout.add(times.max()! - t0)
            first.add(times.min()! - t0)
        }
        print("skiff-watch-fanout watchers=\(watchers) events=\(events) all_\(fanout.summary) first_\(first.summary)")
        for c in conns { c.close(reason: "done") }
        writer.close()
    }
}
