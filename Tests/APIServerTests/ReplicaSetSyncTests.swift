import ControllerRuntime
import Testing
@testable import apiserver

/// One ReplicaSet sync at a time, over caches the test fills by hand (no informer), so a
/// cache that lags behind the server is under the test's control.
@Suite(.serialized) struct ReplicaSetSyncTests {
    @Test func expectationsHoldBackASyncUntilItsCacheCatchesUpAndABurstIsAtMost500() async throws {
        let s = try await InProcessServer.start()
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            let replicaSets = Indexer(), pods = Indexer()
            let expectations = ControllerExpectations(clock: clock)
            let sync = ReplicaSetSync(client: s.client, logger: .init(label: "test"), events: nil, clock: clock, replicaSets: replicaSets,
                                      pods: pods, expectations: expectations, queue: WorkQueue<String>(clock: clock))
            let rs = try await s.client.create(.replicaSets, namespace: "default", ReplicaSetControllerTests.replicaSet("big", replicas: 503))
            replicaSets.put(rs)
            await sync.sync("default/big")
            // 500 per sync (Kubernetes' burstReplicas).
            #expect(try await s.client.list(.pods, namespace: "default").items.count == 500)
            // The cache has seen none of them: a second sync makes none.
            await sync.sync("default/big")
            #expect(try await s.client.list(.pods, namespace: "default").items.count == 500)
            // Once the cache holds them, the rest is made.
            for p in try await s.client.list(.pods, namespace: "default").items {
                pods.put(p)
                expectations.creationObserved("default/big")
            }
            // As an informer would, the cache also holds the status the first sync wrote.
            replicaSets.put(try await s.client.get(.replicaSets, namespace: "default", name: "big"))
            await sync.sync("default/big")
            #expect(try await s.client.list(.pods, namespace: "default").items.count == 503)
            #expect(try await s.client.get(.replicaSets, namespace: "default", name: "big")["status"]
                == ["replicas": 500, "fullyLabeledReplicas": 500, "observedGeneration": 1])
            // Unobserved creations expire after 5 minutes: then the sync acts on what it sees.
            clock.advance(by: 301)
            await sync.sync("default/big")
            #expect(try await s.client.list(.pods, namespace: "default").items.count == 506)
        } catch { Issue.record("\(error)") }
        await s.stop()
    }
}

extension ReplicaSetSyncTests {
    /// A template the server refuses (the cached ReplicaSet was never validated by it):
    /// one attempt (slow start stops at the first failing batch) and a FailedCreate event.
    @Test func aFailingCreationStopsTheSyncAndIsReported() async throws {
        let s = try await InProcessServer.start()
        let events = EventRecorder(client: s.client, component: ReplicaSetController.component)
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            let replicaSets = Indexer()
            let sync = ReplicaSetSync(client: s.client, logger: .init(label: "test"), events: events, clock: clock, replicaSets: replicaSets,
                                      pods: Indexer(), expectations: ControllerExpectations(clock: clock), queue: WorkQueue<String>(clock: clock))
            var rs = ReplicaSetControllerTests.replicaSet("broken", replicas: 5)
            rs[path: ["metadata", "uid"]] = "3f0e1c2a-0000-4000-8000-00000000000b"
            rs[path: ["spec", "template", "spec", "containers"]] = [["image": "nginx"]]
            replicaSets.put(rs)
            await sync.sync("default/broken")
            #expect(try await s.client.list(.pods, namespace: "default").items.isEmpty)
            await events.flush()
            let failed = try await s.client.list(.events, namespace: "default").items
            #expect(failed.map { "\($0["type"].stringValue ?? "") \($0["reason"].stringValue ?? "") \($0["count"].intValue ?? 0)" } == ["Warning FailedCreate 1"])
            #expect(failed.first?["message"] == "Error creating: Pod in version \"v1\" cannot be handled as a Pod: spec.containers[0].name: Required value")
        } catch { Issue.record("\(error)") }
        events.close()
        await s.stop()
    }
}

extension ReplicaSetSyncTests {
    /// A status computed from a cached ReplicaSet older than the stored one is refused (409)
    /// and the key is requeued rate-limited, instead of overwriting the newer object.
    @Test func aStatusFromAStaleCacheConflictsAndIsRequeued() async throws {
        let s = try await InProcessServer.start()
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            let replicaSets = Indexer()
            let queue = WorkQueue<String>(clock: clock)
            let sync = ReplicaSetSync(client: s.client, logger: .init(label: "test"), events: nil, clock: clock, replicaSets: replicaSets,
                                      pods: Indexer(), expectations: ControllerExpectations(clock: clock), queue: queue)
            let rs = try await s.client.create(.replicaSets, namespace: "default", ReplicaSetControllerTests.replicaSet("stale", replicas: 0))
            _ = replicaSets.put(rs)
            var newer = rs
            newer[path: ["metadata", "labels", "moved"]] = "yes"
            _ = try await s.client.update(.replicaSets, newer)
            await sync.sync("default/stale")
            #expect(try await s.client.get(.replicaSets, namespace: "default", name: "stale")["status"].isNull)
            #expect(queue.requeues("default/stale") == 1)
            // From the fresh object the write goes through.
            _ = replicaSets.put(try await s.client.get(.replicaSets, namespace: "default", name: "stale"))
            await sync.sync("default/stale")
            #expect(try await s.client.get(.replicaSets, namespace: "default", name: "stale")["status"] == ["replicas": 0, "observedGeneration": 1])
        } catch { Issue.record("\(error)") }
        await s.stop()
    }
}
