import ControllerRuntime
import Testing
@testable import apiserver

/// A pod whose finalizer an earlier sync removed is never counted again, even when the pod
/// handler sees the removal while a later sync is between listing the (stale) pods and
/// counting them. Syncs run by hand over caches the test fills; `afterListingPods` plays
/// the handler at exactly that point.
@Suite(.serialized) struct JobCountOnceTests {
    static func createPod(_ s: InProcessServer, _ job: JSON, index: Int?, phase: String? = nil) async throws -> JSON {
        var p = try await s.client.create(.pods, namespace: "default", JobRules.pod(for: job, index: index))
        guard let phase else { return p }
        p[path: ["status", "phase"]] = .string(phase)
        return try await s.client.update(.pods, p, status: true)
    }

    static func uid(_ p: JSON) -> String { p["metadata"]["uid"].stringValue ?? "" }

    /// The success policy stops the other pod; the next sync still lists it deleting with
    /// its finalizer while the handler sees it gone: it is not counted as failed.
    @Test func aPodStoppedOnSuccessIsNotCountedAsFailedFromAStaleListing() async throws {
        let s = try await InProcessServer.start()
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            var c = JobSyncTests.controller(s, clock)
            let job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("policy", [
                "completionMode": "Indexed", "completions": 2, "parallelism": 2, "successPolicy": ["rules": [["succeededCount": 1]]]]))
            let done = try await Self.createPod(s, job, index: 0, phase: "Succeeded")
            let running = try await Self.createPod(s, job, index: 1)
            let jobs = Indexer(), pods = Indexer()
            _ = jobs.put(job)
            _ = pods.put(done)
            _ = pods.put(running)
            // Sync 1: the policy matches; pod 1 is deleted and both pods let go.
            _ = try await c.sync("default/policy", jobs: jobs, pods: pods)
            var stored = try await s.client.get(.jobs, namespace: "default", name: "policy")
            #expect(countsOf(stored) == ["succeeded": 1, "completedIndexes": "0", "ready": 0, "terminating": 1, "uncountedTerminatedPods": [:]])
            #expect(JobHarness.conditions(stored).map { $0["type"] } == ["SuccessCriteriaMet"])
            #expect(try await s.client.list(.pods, namespace: "default").items.count == 1)

            // Sync 2: the cache still shows pod 1 deleting with its finalizer; the handler
            // sees it gone right after the listing.
            var deleting = running
            deleting[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.format(clock.now))
            _ = pods.put(deleting)
            _ = jobs.put(stored)
            let memory = c.memory, goneUID = Self.uid(running)
            c.afterListingPods = { memory.finalizerRemovalObserved(goneUID) }
            _ = try await c.sync("default/policy", jobs: jobs, pods: pods)
            stored = try await s.client.get(.jobs, namespace: "default", name: "policy")
            #expect(countsOf(stored) == ["succeeded": 1, "completedIndexes": "0", "ready": 0, "terminating": 1, "uncountedTerminatedPods": [:]])

            // Sync 3: the cache caught up; the Job completes with nothing failed.
            c.afterListingPods = nil
            _ = pods.remove(key: Indexer.key(running))
            var released = done
            released[path: ["metadata", "finalizers"]] = .null
            _ = pods.put(released)
            _ = jobs.put(stored)
            _ = try await c.sync("default/policy", jobs: jobs, pods: pods)
            stored = try await s.client.get(.jobs, namespace: "default", name: "policy")
            #expect(countsOf(stored) == ["succeeded": 1, "completedIndexes": "0", "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
            #expect(JobHarness.conditions(stored).map { $0["type"] } == ["SuccessCriteriaMet", "Complete"])
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    /// A succeeded pod moved into `succeeded` by one sync is not counted again by the next
    /// one, whose listing still shows its finalizer.
    @Test func aCountedPodIsNotCountedAgainFromAStaleListing() async throws {
        let s = try await InProcessServer.start()
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            var c = JobSyncTests.controller(s, clock)
            let job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("twice", ["completions": 2, "parallelism": 1]))
            let done = try await Self.createPod(s, job, index: nil, phase: "Succeeded")
            let jobs = Indexer(), pods = Indexer()
            _ = jobs.put(job)
            _ = pods.put(done)
            _ = try await c.sync("default/twice", jobs: jobs, pods: pods)
            var stored = try await s.client.get(.jobs, namespace: "default", name: "twice")
            #expect(countsOf(stored) == ["active": 1, "succeeded": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])

            _ = jobs.put(stored)
            let memory = c.memory, countedUID = Self.uid(done)
            c.afterListingPods = { memory.finalizerRemovalObserved(countedUID) }
            _ = try await c.sync("default/twice", jobs: jobs, pods: pods)
            stored = try await s.client.get(.jobs, namespace: "default", name: "twice")
            #expect(countsOf(stored) == ["succeeded": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
            #expect(JobHarness.conditions(stored).isEmpty)
        } catch { Issue.record("\(error)") }
        await s.stop()
    }
}
