import Foundation
import Synchronization
import Wire
import Testing
@testable import apiserver

/// Updates and patches are computed outside the writer and written only if the object is
/// still at the revision they were computed from (Kubernetes' GuaranteedUpdate).
@Suite(.serialized) struct GuaranteedUpdateTests {
    func client(_ s: InProcessServer, _ name: String) -> Client {
        Client(config: ClientConfig(server: s.address, token: s.tokens.admin, clientName: name, requestTimeoutSeconds: 60))
    }

    @Test func concurrentPatchesOfOneObjectAllLand() async throws {
        let s = try await InProcessServer.start()
        _ = try await s.client.create(.configMaps, namespace: "default", cm("hot"))
        let clients = (0..<4).map { client(s, "c\($0)") }
        try await withThrowingTaskGroup(of: Void.self) { g in
            for (i, c) in clients.enumerated() {
                g.addTask {
                    for j in 0..<25 {
                        _ = try await c.patch(.configMaps, namespace: "default", name: "hot", ["data": [.init("k\(i)-\(j)"): "v"]])
                    }
                }
            }
            try await g.waitForAll()
        }
        let hot = try await s.client.get(.configMaps, namespace: "default", name: "hot")
        #expect(hot["data"].objectValue?.count == 100)
        #expect(hot["data"]["k0-0"] == "v" && hot["data"]["k3-24"] == "v")
        for c in clients { c.close() }
        await s.stop()
    }

    /// Patches of an object with many labels and other clients' small creates, side by
    /// side: every one lands (how long they wait is measured in docs/BENCHMARKS.md).
    @Test func patchesOfAHugeObjectAndSmallCreatesAllLand() async throws {
        let s = try await InProcessServer.start()
        var labels = JSONObject()
        for i in 0..<20_000 { labels["label-\(i)"] = "v" }
        _ = try await s.client.create(.configMaps, namespace: "default", ["metadata": ["name": "big", "labels": .object(labels)]])
        let other = client(s, "small")
        async let patches: [String] = {
            var rvs: [String] = []
            for i in 0..<3 {
                let o = try await s.client.patch(.configMaps, namespace: "default", name: "big",
                                                 ["metadata": ["labels": ["flip": .string("\(i)"), .init("label-\(i)"): .null]]])
                rvs.append(o["metadata"]["resourceVersion"].stringValue ?? "")
            }
            return rvs
        }()
        var created = 0
        for i in 0..<20 {
            _ = try await other.create(.configMaps, namespace: "default", cm("small-\(i)"))
            created += 1
        }
        #expect(try await patches.count == 3)
        #expect(created == 20)
        let big = try await s.client.get(.configMaps, namespace: "default", name: "big")
        #expect(big["metadata"]["labels"].objectValue?.count == 19_998)
        #expect(big["metadata"]["labels"]["flip"] == "2" && big["metadata"]["labels"]["label-0"].isNull)
        #expect(big["metadata"]["labels"]["label-3"] == "v")
        other.close()
        await s.stop()
    }

    @Test func deleteCollectionDeletesWhatMatchesAndMarksWhatFinalizersHold() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        for n in ["a", "b", "c"] { _ = try await c.create(.configMaps, namespace: "default", cm(n, labels: ["app": n == "c" ? "other" : "web"])) }
        _ = try await c.create(.configMaps, namespace: "default",
                               ["metadata": ["name": "held", "labels": ["app": "web"], "finalizers": ["example.com/keep"]]])
        var req = Request(verb: .deletecollection, resource: "configmaps", namespace: "default")
        req.labelSelector = "app=web"
        let out = try await c.request(req).object
        let items = out["items"].arrayValue ?? []
        #expect(items.map { $0["metadata"]["name"].stringValue ?? "" } == ["a", "b", "held"])
        #expect(items[2]["metadata"]["deletionTimestamp"].stringValue != nil)
        let left = try await c.list(.configMaps, namespace: "default").items.map { $0["metadata"]["name"].stringValue ?? "" }
        #expect(left == ["c", "held"])
        await s.stop()
    }

    @Test func staleUpdateIsRefusedAndNoOpWritesNothing() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        let v1 = try await c.create(.configMaps, namespace: "default", cm("a", data: ["k": "1"]))
        _ = try await c.patch(.configMaps, namespace: "default", name: "a", ["data": ["k": "2"]])
        var stale = v1
        stale["data"] = ["k": "3"]
        await #expect { try await c.update(.configMaps, stale) } throws: { ($0 as? Status)?.isConflict == true }
        let current = try await c.get(.configMaps, namespace: "default", name: "a")
        #expect(current["data"]["k"] == "2")
        let same = try await c.patch(.configMaps, namespace: "default", name: "a", ["data": ["k": "2"]])
        #expect(rv(same) == rv(current))
        #expect(await s.store.revision == rv(current))
        await #expect { try await c.patch(.configMaps, namespace: "default", name: "missing", ["data": ["k": "2"]]) } throws: {
            ($0 as? Status)?.message == "configmaps \"missing\" not found"
        }
        await s.stop()
    }

    /// A change computed from a version that was overtaken is computed again, and after
    /// `optimisticAttempts` it is done inside the writer; either way it lands once.
    @Test func overtakenChangeIsRecomputed() async throws {
        let s = try await InProcessServer.start()
        _ = try await s.client.create(.configMaps, namespace: "default", cm("b"))
        let store = await s.store
        let service = APIService(store: store, hub: WatchHub(config: .init(), latest: store.revision), limits: .default, serverVersion: "test")
        let t = APIService.Target(strategy: try Registry.standard.strategy(for: "configmaps"), namespace: "default")
        let key = t.key("b")
        let calls = Counter()
        let inWriter = Atomic<Bool>(false)
        let writer = Atomic<UInt>(0)
        let _: Void = await withCheckedContinuation { c in
            store.submit({ _ throws(Status) in
                writer.store(UInt(pthread_self()), ordering: .relaxed)
                return WriteOutcome(bytes: [], revision: 0, wrote: false)
            }, done: { _ in c.resume() })
        }
        let reply: apiserver.Reply = await withCheckedContinuation { c in
            service.guaranteedUpdate(t, key, respond: { c.resume(returning: $0) }) { cur, old throws(Status) -> PreparedChange in
                let n = calls.next()
                // The first three computations are overtaken by another write each; the
                // fourth runs inside the writer, where nothing can overtake it.
                if n == 4 { inWriter.store(UInt(pthread_self()) == writer.load(ordering: .relaxed), ordering: .relaxed) }
                if n <= 3 {
                    let done = DispatchSemaphore(value: 0)
                    store.submit({ tx throws(Status) -> WriteOutcome in
                        var o = try tx.get(key)!.json()
                        o[path: ["data", "other\(n)"]] = "x"
                        let w = try tx.put(key, o, previous: try tx.get(key)!)
                        return WriteOutcome(bytes: w.bytes, revision: w.modRevision)
                    }, done: { _ in done.signal() })
                    done.wait()
                }
                var new = old
                new[path: ["data", "mine"]] = .string("after \(n)")
                return .put(EncodedObject(new), old: old, warnings: [])
            }
        }
        guard case .encoded(let bytes, _) = reply else { Issue.record("update failed: \(reply)"); return }
        let o = try JSON.parse(bytes)
        #expect(calls.value == 4)
        #expect(o["data"]["mine"] == "after 4")
        #expect(o["data"]["other3"] == "x")
        let lastRanInWriter = inWriter.load(ordering: .relaxed)
        #expect(lastRanInWriter)
        await s.stop()
    }
}

/// A thread-safe count of calls.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func next() -> Int { lock.withLock { n += 1; return n } }
    var value: Int { lock.withLock { n } }
}

