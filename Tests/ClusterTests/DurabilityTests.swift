import Foundation
import Synchronization
import Testing
import Wire

/// Acknowledged means on disk: kill -9 the apiserver in the middle of concurrent writes,
/// restart it, and every acknowledged write is there; revisions never go back.
@Suite(.serialized) struct DurabilityTests {
    @Test func killNineLosesNothingAcknowledged() async throws {
        let f = try Fixture()
        defer { f.close() }
        let acked = Locked<[String: Int64]>([:])
        let writers = 8
        let conns = try await withThrowingTaskGroup(of: WireConnection.self) { g in
            for _ in 0..<writers { g.addTask { try await f.server.connect() } }
            return try await g.reduce(into: []) { $0.append($1) }
        }
        let server = f.server
        let kill = Task.detached {
            try await Task.sleep(for: .milliseconds(1500))
            server.kill9()
        }
        await withTaskGroup(of: Void.self) { g in
            for (w, conn) in conns.enumerated() {
                g.addTask {
                    var i = 0
                    while true {
                        var req = Request(verb: .create, resource: "configmaps", namespace: "default")
                        let name = "w\(w)-\(i)"
                        req.object = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": ["i": .string(String(i))]]
                        guard let reply = try? await conn.request(req) else { return }
                        let rv = Int64(reply.object["metadata"]["resourceVersion"].stringValue ?? "") ?? 0
                        acked.withLock { $0[name] = rv }
                        i += 1
                    }
                }
            }
        }
        try await kill.value
        let before = acked.withLock { $0 }
        #expect(before.count > 50, "too few writes acknowledged before the kill: \(before.count)")
        try f.server.restart()
        let client = Client(config: f.server.clientConfig())
        defer { client.close() }
        let (items, rv) = try await client.list(.configMaps, namespace: "default")
        let stored = Dictionary(uniqueKeysWithValues: items.map { ($0["metadata"]["name"].stringValue ?? "", Int64($0["metadata"]["resourceVersion"].stringValue ?? "") ?? 0) })
        for (name, ackRV) in before {
            #expect(stored[name] == ackRV, "acknowledged \(name)@\(ackRV) is \(stored[name].map(String.init) ?? "missing") after restart")
        }
        let maxAcked = before.values.max() ?? 0
        #expect((Int64(rv) ?? 0) >= maxAcked)
        let next = try await client.create(.configMaps, namespace: "default", ["metadata": ["name": "after-restart"]])
        #expect((Int64(next["metadata"]["resourceVersion"].stringValue ?? "") ?? 0) > maxAcked)
    }
}
