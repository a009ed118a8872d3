import Foundation
import Wire
import Testing
@testable import apiserver

@Suite(.serialized) struct StoreBoundsTests {
    func fileSize(_ p: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? Int) ?? 0 }

    @Test func databaseAndWALStayBoundedUnderChurn() async throws {
        let s = try await InProcessServer.start { $0.store.historyMinRevisions = 100 }
        let c = s.client
        let store = await s.store
        let payload = String(repeating: "x", count: 300)
        for k in 0..<10 { _ = try await c.create(.configMaps, namespace: "default", cm("churn\(k)", data: ["p": payload])) }
        var sizes: [Int] = []
        for round in 0..<6 {
            try await withThrowingTaskGroup(of: Void.self) { g in
                for k in 0..<10 {
                    g.addTask {
                        for i in 0..<200 {
                            _ = try await c.patch(.configMaps, namespace: "default", name: "churn\(k)", ["data": ["i": .string("\(round)-\(i)")]])
                        }
                    }
                }
                try await g.waitForAll()
            }
            await Compactor(store: store, logger: .init(label: "test")).run(upTo: store.revision - 100)
            sizes.append(fileSize(s.dir + "/skiff.db") + fileSize(s.dir + "/skiff.db-wal"))
        }
        // 12,000 versions of 10 objects written; the files stay near the size of the first round.
        #expect(sizes.last! <= sizes[1] * 2, "sizes grew: \(sizes)")
        // The checkpointer restarts the WAL past 16 MiB and trims the file to that size; it
        // looks every half second, so what one half second of writes adds may be on top
        // (up to about 9 MiB here since patches are computed off the writer and commit
        // faster; without the RESTART checkpoints the WAL reaches about 70 MiB, measured).
        #expect(fileSize(s.dir + "/skiff.db-wal") <= 32 << 20)
        await s.stop()
    }

    @Test func bookmarksCarryTheLatestRevision() async throws {
        let s = try await InProcessServer.start { $0.watch.bookmarkIntervalSeconds = 0.2 }
        let c = s.client
        let o = try await c.create(.configMaps, namespace: "default", cm("b"))
        var req = Request(verb: .watch, resource: "configmaps", namespace: "default")
        req.resourceVersion = String(rv(o))
        req.allowWatchBookmarks = true
        _ = try await c.create(.configMaps, namespace: "kube-system", cm("elsewhere"))
        for try await e in try await c.watch(req) {
            if e.type == "BOOKMARK" {
                #expect(rv(e.object) >= rv(o) + 1 && e.object["kind"] == "ConfigMap")
                break
            }
        }
        await s.stop()
    }
}
