import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// ttlSecondsAfterFinished: the Job goes, with its pods (Foreground through the garbage
/// collector), once the TTL has passed since it finished, by the controllers' clock.
@Suite(.serialized) struct JobTTLTests {
    @Test func aFinishedJobDisappearsWithItsPodsWhenItsTTLHasPassed() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        let collector = GarbageCollector(client: h.client, logger: .init(label: "test"))
        let f = h.factory
        h.tasks.append(Task { await collector.run(factory: f) })
        h.startJobController()
        h.startTTLController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("brief", ["completions": 2, "parallelism": 2, "ttlSecondsAfterFinished": 100]))
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("kept", ["completions": 1]))
        try await eventuallyTrue(5) { try await h.pods("brief").count == 2 }
        try await eventuallyTrue(5) { try await h.pods("kept").count == 1 }
        for p in try await h.pods("brief") + h.pods("kept") { try await h.setPhase(p, "Succeeded") }
        try await eventuallyTrue(5) {
            let brief = try await h.getJob("brief"), kept = try await h.getJob("kept")
            return JobRules.isFinished(brief) && JobRules.isFinished(kept)
        }
        // Armed for finish + 100 s on the fake clock.
        try await eventuallyTrue(5) { h.clock.sleeperCount >= 1 }
        h.clock.advance(by: 99)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await h.client.getIfPresent(.jobs, namespace: "default", name: "brief") != nil)
        h.clock.advance(by: 1)
        try await eventuallyTrue(10) { try await h.client.getIfPresent(.jobs, namespace: "default", name: "brief") == nil }
        #expect(try await h.pods("brief").isEmpty)
        // A Job without a TTL stays, and so do its pods.
        #expect(try await h.client.getIfPresent(.jobs, namespace: "default", name: "kept") != nil)
        #expect(try await h.pods("kept").count == 1)
    }

    @Test func theLiveJobIsCheckedAgainBeforeTheDelete() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        let ttl = TTLAfterFinishedController(client: h.client, logger: .init(label: "test"), clock: h.clock)
        var job = try await h.client.create(.jobs, namespace: "default", JobHarness.job("changed", ["ttlSecondsAfterFinished": 10]))
        let stamp = JSON.string(Timestamp.format(h.clock.now))
        job["status"] = ["conditions": [["type": "Complete", "status": "True", "lastTransitionTime": stamp]]]
        let cached = try await h.client.update(.jobs, job, status: true)
        h.clock.advance(by: 10)
        // Since the cache saw it, its TTL was raised: no delete.
        _ = try await h.client.patch(.jobs, namespace: "default", name: "changed", ["spec": ["ttlSecondsAfterFinished": 3600]])
        try await ttl.deleteIfExpired(cached)
        #expect(try await h.client.getIfPresent(.jobs, namespace: "default", name: "changed") != nil)
        // With the TTL back to 10 s, it goes (Foreground: finalizer first, then gone, as it has no pods).
        _ = try await h.client.patch(.jobs, namespace: "default", name: "changed", ["spec": ["ttlSecondsAfterFinished": 10]])
        try await ttl.deleteIfExpired(cached)
        let after = try await h.client.getIfPresent(.jobs, namespace: "default", name: "changed")
        #expect(after == nil || after?["metadata"]["finalizers"] == ["foregroundDeletion"])
    }
}

/// Deleting a Job without a policy orphans its pods (Kubernetes' default for batch/v1, with
/// its warning): they stay, ownerless, and lose the tracking finalizer.
@Suite(.serialized) struct JobOrphanTests {
    @Test func orphanedPodsAreReleased() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        let collector = GarbageCollector(client: h.client, logger: .init(label: "test"))
        let f = h.factory
        h.tasks.append(Task { await collector.run(factory: f) })
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("left", ["completions": 2, "parallelism": 2]))
        try await eventuallyTrue(5) { try await h.pods("left").count == 2 }
        let names = try await h.pods("left").compactMap { $0["metadata"]["name"].stringValue }
        _ = try await h.client.delete(.jobs, namespace: "default", name: "left")
        try await eventuallyTrue(10) { try await h.client.getIfPresent(.jobs, namespace: "default", name: "left") == nil }
        try await eventuallyTrue(5) {
            var released = true
            for n in names {
                let p = try await h.client.get(.pods, namespace: "default", name: n)
                released = released && p["metadata"]["finalizers"].isNull && p["metadata"]["ownerReferences"].isNull
            }
            return released
        }
        // Nothing replaced them.
        #expect(try await h.client.list(.pods, namespace: "default").items.count == 2)
    }

    /// A pod still holding the finalizer for an earlier Job of the same name (the name
    /// taken again before the pod was let go) is let go by the new Job's sync, uncounted.
    @Test func anEarlierJobsPodIsReleasedWhenTheNameIsTakenAgain() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        let pod: JSON = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": "again-old", "labels": ["app": "other"], "finalizers": ["batch.kubernetes.io/job-tracking"],
                         "ownerReferences": [["apiVersion": "batch/v1", "kind": "Job", "name": "again", "uid": "uid-of-the-earlier-job",
                                              "controller": true, "blockOwnerDeletion": true]]],
            "spec": ["restartPolicy": "Never", "containers": [["name": "work", "image": "busybox"]]],
        ]
        _ = try await h.client.create(.pods, namespace: "default", pod)
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("again", ["completions": 1]))
        h.startJobController()
        try await eventuallyTrue(5) { try await h.client.get(.pods, namespace: "default", name: "again-old")["metadata"]["finalizers"].isNull }
        let job = try await h.getJob("again")
        #expect(job["status"]["succeeded"].isNull && job["status"]["failed"].isNull)
        // The new Job runs its own pod.
        try await eventuallyTrue(5) {
            try await h.pods("again").contains { $0["metadata"]["ownerReferences"].arrayValue?.first?["uid"] == job["metadata"]["uid"] }
        }
    }

    /// A Job cache behind the pods (the cached Job is an earlier one of the name) lets go
    /// only of pods the live Job does not control.
    @Test func aStaleJobCacheDoesNotReleaseTheLiveJobsPods() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        let live = try await h.client.create(.jobs, namespace: "default", JobHarness.job("j", ["suspend": true]))
        func pod(_ name: String, ownerUID: JSON) -> JSON {
            ["apiVersion": "v1", "kind": "Pod",
             "metadata": ["name": .string(name), "finalizers": ["batch.kubernetes.io/job-tracking"],
                          "ownerReferences": [["apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": ownerUID, "controller": true]]],
             "spec": ["restartPolicy": "Never", "containers": [["name": "work", "image": "busybox"]]]]
        }
        let mine = try await h.client.create(.pods, namespace: "default", pod("mine", ownerUID: live["metadata"]["uid"]))
        let earlier = try await h.client.create(.pods, namespace: "default", pod("earlier", ownerUID: "uid-gone"))
        var stale = live
        stale[path: ["metadata", "uid"]] = "uid-of-a-cached-earlier-job"
        let c = JobController(client: h.client, logger: .init(label: "test"), events: h.events, clock: h.clock)
        await c.releaseEarlierJobsPods(stale, [mine, earlier])
        #expect(try await h.client.get(.pods, namespace: "default", name: "mine")["metadata"]["finalizers"] == ["batch.kubernetes.io/job-tracking"])
        #expect(try await h.client.get(.pods, namespace: "default", name: "earlier")["metadata"]["finalizers"].isNull)
    }

    /// A pod whose labels stop matching is released by its Job (ownerless) and, holding
    /// the finalizer with no controller, let go of it; the Job replaces it.
    @Test func aReleasedPodLosesTheFinalizer() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("rel", ["completions": 1]))
        try await eventuallyTrue(5) { try await h.pods("rel").count == 1 }
        let name = try await h.pods("rel")[0]["metadata"]["name"].stringValue ?? ""
        _ = try await h.client.patch(.pods, namespace: "default", name: name, ["metadata": ["labels": ["batch.kubernetes.io/controller-uid": "elsewhere"]]])
        try await eventuallyTrue(5) {
            let p = try await h.client.get(.pods, namespace: "default", name: name)
            return p["metadata"]["ownerReferences"].isNull && p["metadata"]["finalizers"].isNull
        }
        try await eventuallyTrue(5) {
            let now = try await h.pods("rel")
            return now.count == 1 && now[0]["metadata"]["name"].stringValue != name
        }
    }
}
