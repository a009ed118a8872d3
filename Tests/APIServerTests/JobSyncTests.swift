import ControllerRuntime
import Testing
@testable import apiserver

/// One Job sync at a time over caches the test fills by hand (no informer), on a fake clock.
@Suite(.serialized) struct JobSyncTests {
    static func controller(_ s: InProcessServer, _ clock: FakeClock, events: EventRecorder? = nil) -> JobController {
        JobController(client: s.client, logger: .init(label: "test"), events: events, clock: clock)
    }

    /// A finished pod of `job` holding the tracking finalizer, as the server stores it.
    static func finishedPod(_ s: InProcessServer, _ job: JSON, phase: String) async throws -> JSON {
        var p = try await s.client.create(.pods, namespace: "default", JobRules.pod(for: job, index: nil))
        p[path: ["status", "phase"]] = .string(phase)
        return try await s.client.update(.pods, p, status: true)
    }

    /// Pending expectations hold back only new pods: a finished pod is still counted and
    /// released, and the Job is looked at again when the expectations expire (300 s).
    @Test func pendingExpectationsStillCountAndReleaseFinishedPods() async throws {
        let s = try await InProcessServer.start()
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            let c = Self.controller(s, clock)
            let job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("held", ["completions": 3, "parallelism": 1]))
            let done = try await Self.finishedPod(s, job, phase: "Succeeded")
            let jobs = Indexer(), pods = Indexer()
            _ = jobs.put(job)
            _ = pods.put(done)
            c.memory.expectations.expect("default/held", creations: 1)
            let out = try await c.sync("default/held", jobs: jobs, pods: pods)
            #expect(out == JobController.Outcome(again: 300, createFailed: false))
            #expect(countsOf(try await s.client.get(.jobs, namespace: "default", name: "held"))
                == ["succeeded": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
            #expect(try await s.client.get(.pods, namespace: "default", name: done["metadata"]["name"].stringValue ?? "")["metadata"]["finalizers"].isNull)
            // No replacement while the expected creation is unobserved.
            #expect(try await s.client.list(.pods, namespace: "default").items.count == 1)
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    /// Creations that fail are not an error of the whole sync (the status is still written)
    /// but ask for a rate-limited requeue. (The batches themselves: ReplicaSetLogicTests'
    /// slowStartOverItemsReportsWhatWasAttempted.)
    @Test func aFailingCreateStillWritesTheStatusAndAsksForARateLimitedRequeue() async throws {
        let s = try await InProcessServer.start()
        let events = EventRecorder(client: s.client, component: JobController.component)
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            let c = Self.controller(s, clock, events: events)
            var job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("broken", ["completions": 5, "parallelism": 5]))
            // The cached copy has a template the server refuses for pods.
            job[path: ["spec", "template", "spec", "containers"]] = [["image": "busybox"]]
            let jobs = Indexer()
            _ = jobs.put(job)
            let out = try await c.sync("default/broken", jobs: jobs, pods: Indexer())
            #expect(out == JobController.Outcome(again: nil, createFailed: true))
            #expect(try await s.client.list(.pods, namespace: "default").items.isEmpty)
            // Every creation that failed or was never tried is no longer expected.
            #expect(c.memory.expectations.satisfied("default/broken"))
            let stored = try await s.client.get(.jobs, namespace: "default", name: "broken")
            #expect(stored["status"]["startTime"].stringValue != nil)
            await events.flush()
            let failed = try await s.client.list(.events, namespace: "default").items
            #expect(failed.map { "\($0["type"].stringValue ?? "") \($0["reason"].stringValue ?? "") \($0["count"].intValue ?? 0)" } == ["Warning FailedCreate 1"])
        } catch { Issue.record("\(error)") }
        events.close()
        await s.stop()
    }

    /// Many finished pods are counted once and all released (in parallel batches).
    @Test func manyFinishedPodsAreCountedOnceAndAllReleased() async throws {
        let s = try await InProcessServer.start()
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            let c = Self.controller(s, clock)
            let job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("many", ["completions": 40, "parallelism": 1]))
            let jobs = Indexer(), pods = Indexer()
            _ = jobs.put(job)
            for _ in 0..<25 { _ = pods.put(try await Self.finishedPod(s, job, phase: "Succeeded")) }
            _ = try await c.sync("default/many", jobs: jobs, pods: pods)
            let stored = try await s.client.get(.jobs, namespace: "default", name: "many")
            #expect(countsOf(stored) == ["active": 1, "succeeded": 25, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
            let all = try await s.client.list(.pods, namespace: "default").items
            #expect(all.count == 26)
            #expect(all.filter { !$0["metadata"]["finalizers"].isNull }.count == 1)
            // A second sync from the same (stale) cache counts nothing again.
            _ = jobs.put(stored)
            _ = try await c.sync("default/many", jobs: jobs, pods: pods)
            #expect(countsOf(try await s.client.get(.jobs, namespace: "default", name: "many"))["succeeded"] == 25)
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    /// Only a pod whose controllerRef carries the cached Job's uid moves its expectations.
    @Test func aPodOfAnEarlierJobWithTheSameNameIsNotTheJobs() {
        let jobs = Indexer()
        _ = jobs.put(["metadata": ["namespace": "default", "name": "j", "uid": "new"]])
        func pod(owner uid: String) -> JSON {
            ["metadata": ["namespace": "default", "name": "p", "ownerReferences": [["apiVersion": "batch/v1", "kind": "Job", "name": "j",
                                                                                     "uid": .string(uid), "controller": true]]]]
        }
        #expect(JobController.isOwnedByCachedJob(pod(owner: "new"), jobs))
        #expect(!JobController.isOwnedByCachedJob(pod(owner: "old"), jobs))
        #expect(!JobController.isOwnedByCachedJob(pod(owner: "new"), Indexer()))
    }

    /// A pod first seen already being deleted (an add after a relist) settles an awaited
    /// deletion, never an awaited creation (Kubernetes' addPod); a live one the reverse.
    @Test func aPodFirstSeenBeingDeletedIsADeletionObserved() async throws {
        let s = try await InProcessServer.start()
        let c = Self.controller(s, FakeClock(now: 1000))
        let jobs = Indexer()
        _ = jobs.put(["metadata": ["namespace": "default", "name": "j", "uid": "job-uid"]])
        func pod(_ uid: String, deleting: Bool) -> JSON {
            var p: JSON = ["metadata": ["namespace": "default", "name": .string(uid), "uid": .string(uid),
                                        "ownerReferences": [["apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": "job-uid", "controller": true]]]]
            if deleting { p[path: ["metadata", "deletionTimestamp"]] = "2026-01-01T00:00:00Z" }
            return p
        }
        var queued: [String] = []
        c.memory.expectations.expect("default/j", deletingUIDs: ["p1"])
        c.observePod(.added(pod("p1", deleting: true)), jobs: jobs) { queued.append($0) }
        #expect(c.memory.expectations.satisfied("default/j") == true)
        c.memory.expectations.expect("default/j", creations: 1)
        c.observePod(.added(pod("p2", deleting: true)), jobs: jobs) { queued.append($0) }
        #expect(c.memory.expectations.satisfied("default/j") == false)
        c.observePod(.added(pod("p3", deleting: false)), jobs: jobs) { queued.append($0) }
        #expect(c.memory.expectations.satisfied("default/j") == true)
        #expect(queued == ["default/j", "default/j", "default/j"])
        await s.stop()
    }

    /// A namespace being terminated refuses the Job's pods: no error and no rate-limited
    /// requeue (Kubernetes); the creations stay awaited until the Job goes.
    @Test func aTerminatingNamespaceIsNotAFailedCreation() async throws {
        let s = try await InProcessServer.start()
        do {
            let c = Self.controller(s, FakeClock(now: Timestamp.nowSeconds()))
            _ = try await s.client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "closing"]])
            let job = try await s.client.create(.jobs, namespace: "closing", JobHarness.job("late", ["completions": 2, "parallelism": 2]))
            _ = try await s.client.delete(.namespaces, name: "closing")
            let jobs = Indexer()
            _ = jobs.put(job)
            let out = try await c.sync("closing/late", jobs: jobs, pods: Indexer())
            #expect(out == JobController.Outcome(again: nil, createFailed: false))
            #expect(try await s.client.list(.pods, namespace: "closing").items.isEmpty)
            #expect(!c.memory.expectations.satisfied("closing/late"))
        } catch { Issue.record("\(error)") }
        await s.stop()
    }
}
