import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// backoffLimitPerIndex Jobs (fake clock, the test playing the kubelet): each index waits
/// its own back-off (10 s doubling per failure of the index, from its last failed pod's
/// finish), and an index's last failed pod keeps the tracking finalizer until its
/// replacement exists, so its failure count survives the pod's deletion.
@Suite(.serialized) struct JobIndexBackoffTests {
    func podsOf(_ h: JobHarness, _ job: String, index: String) async throws -> [JSON] {
        try await h.pods(job).filter { $0["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == .string(index) }
    }

    func activeOf(_ h: JobHarness, _ job: String, index: String) async throws -> JSON? {
        try await h.activePods(job).first { $0["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == .string(index) }
    }

    func requireActive(_ h: JobHarness, _ job: String, index: String) async throws -> JSON {
        let pod = try await activeOf(h, job, index: index)
        return try #require(pod)
    }

    /// Kubernetes' getFinishedTime order, and the per-index delay: 10 s doubling per
    /// failure of the index (counted and ignored), at most 6 min.
    @Test func finishTimeAndPerIndexDelay() throws {
        let pod = try JSON.parse("""
        {"metadata":{"creationTimestamp":"2026-11-30T22:00:00Z","deletionTimestamp":"2026-11-30T22:00:50Z","deletionGracePeriodSeconds":30,
                     "annotations":{"batch.kubernetes.io/job-index-failure-count":"2","batch.kubernetes.io/job-index-ignored-failure-count":"1"}},
         "status":{"conditions":[{"type":"Ready","status":"False","lastTransitionTime":"2026-11-30T22:00:10Z"}],
                   "containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":1,"finishedAt":"2026-11-30T22:00:05Z"}}},
                                        {"name":"b","state":{"terminated":{"exitCode":0,"finishedAt":"2026-11-30T22:00:07Z"}}}]}}
        """)
        let t0 = try #require(Timestamp.parse("2026-11-30T22:00:00Z"))
        #expect(JobRules.podFinishTime(pod) == t0 + 7)
        var p = pod
        p[path: ["status", "containerStatuses"]] = [["name": "a", "state": ["terminated": ["exitCode": 1, "finishedAt": "2026-11-30T22:00:05Z"]]],
                                                    ["name": "b", "state": ["running": [:]]]]
        #expect(JobRules.podFinishTime(p) == t0 + 10)
        p[path: ["status", "conditions"]] = .null
        #expect(JobRules.podFinishTime(p) == t0 + 20)
        p[path: ["metadata", "deletionTimestamp"]] = .null
        #expect(JobRules.podFinishTime(p) == t0)

        // The index's fourth failure (2 counted + 1 ignored before it): 80 s from 22:00:07.
        #expect(JobRules.indexBackoffRemaining(lastFailed: pod, now: t0 + 17) == 70)
        #expect(JobRules.indexBackoffRemaining(lastFailed: pod, now: t0 + 87) == 0)
        #expect(JobRules.indexBackoffRemaining(lastFailed: nil, now: t0) == 0)
        var many = pod
        many[path: ["metadata", "annotations", "batch.kubernetes.io/job-index-failure-count"]] = "9"
        #expect(JobRules.indexBackoffRemaining(lastFailed: many, now: t0 + 7) == 360)
        // A finish time far in the future (client-written status) waits no more than the delay.
        var future = pod
        future[path: ["status", "containerStatuses"]] = [["name": "a", "state": ["terminated": ["exitCode": 1, "finishedAt": "9999-12-31T23:59:59Z"]]]]
        #expect(JobRules.indexBackoffRemaining(lastFailed: future, now: t0) == 80)
        let counts = JobRules.replacementFailureCounts(JobHarness.job("x"), replacing: pod)
        #expect(counts.counted == 3 && counts.ignored == 1)
        let first = JobRules.replacementFailureCounts(JobHarness.job("x"), replacing: nil)
        #expect(first.counted == 0 && first.ignored == 0)
    }

    @Test func aFailedIndexWaitsItsOwnBackoffWhileAnotherIndexStartsAtOnce() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("ib", [
            "completionMode": "Indexed", "completions": 3, "parallelism": 2, "backoffLimitPerIndex": 3]))
        try await eventuallyTrue(5) { try await h.activePods("ib").count == 2 }
        let first = try await requireActive(h, "ib", index: "0")
        try await h.fail(first, exitCodes: ["work": 1], finishedAt: h.clock.now)
        try await h.setPhase(try await requireActive(h, "ib", index: "1"), "Succeeded")

        // Index 2 (never failed) starts at once; index 0 waits 10 s from its failure.
        try await eventuallyTrue(5) { try await activeOf(h, "ib", index: "2") != nil }
        try await eventuallyTrue(5) { try await h.getJob("ib")["status"]["completedIndexes"] == "1" }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await activeOf(h, "ib", index: "0") == nil)
        // Held until the replacement exists: its finalizer stays and it is not counted yet.
        #expect(try await podsOf(h, "ib", index: "0").map { $0["metadata"]["finalizers"] } == [["batch.kubernetes.io/job-tracking"]])
        #expect(try await h.getJob("ib")["status"]["failed"] == .null)
        h.clock.advance(by: 8)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await activeOf(h, "ib", index: "0") == nil)
        h.clock.advance(by: 3)
        try await eventuallyTrue(5) { try await activeOf(h, "ib", index: "0") != nil }
        let second = try await requireActive(h, "ib", index: "0")
        #expect(second["metadata"]["annotations"] == ["batch.kubernetes.io/job-completion-index": "0", "batch.kubernetes.io/job-index-failure-count": "1"])
        // Once replaced, the failed pod is counted and let go.
        try await eventuallyTrue(5) { try await h.getJob("ib")["status"]["failed"] == 1 }
        let released = try await h.client.get(.pods, namespace: "default", name: first["metadata"]["name"].stringValue ?? "")
        #expect(released["metadata"]["finalizers"] == .null)

        // The index's second failure doubles its delay to 20 s.
        try await h.fail(second, exitCodes: ["work": 1], finishedAt: h.clock.now)
        try await eventuallyTrue(5) { try await h.getJob("ib")["status"]["active"] == 1 }
        h.clock.advance(by: 12)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await activeOf(h, "ib", index: "0") == nil)
        h.clock.advance(by: 10)
        try await eventuallyTrue(5) { try await activeOf(h, "ib", index: "0") != nil }
        let third = try await requireActive(h, "ib", index: "0")
        #expect(third["metadata"]["annotations"] == ["batch.kubernetes.io/job-completion-index": "0", "batch.kubernetes.io/job-index-failure-count": "2"])

        for i in ["0", "2"] { try await h.setPhase(try await requireActive(h, "ib", index: i), "Succeeded") }
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("ib")).count == 2 }
        #expect(countsOf(try await h.getJob("ib")) == ["failed": 2, "succeeded": 3, "completedIndexes": "0-2", "failedIndexes": "", "ready": 0,
                                                       "terminating": 0, "uncountedTerminatedPods": [:]])
    }

    /// A user deletes an index's failed pod before its replacement is made: the pod stays
    /// (finalizer held) until the replacement took its count, so the index still fails at its limit.
    @Test func anIndexWhoseFailedPodIsDeletedKeepsItsCountAndFailsAtItsLimit() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("del", [
            "completionMode": "Indexed", "completions": 1, "parallelism": 1, "backoffLimitPerIndex": 1]))
        try await eventuallyTrue(5) { try await h.getJob("del")["status"]["active"] == 1 }
        let first = try await requireActive(h, "del", index: "0")
        try await h.fail(first, exitCodes: ["work": 1], finishedAt: h.clock.now)
        try await eventuallyTrue(5) { try await h.getJob("del")["status"]["active"] == .null }
        let name = first["metadata"]["name"].stringValue ?? ""
        try await h.client.delete(.pods, namespace: "default", name: name)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await h.client.getIfPresent(.pods, namespace: "default", name: name)?["metadata"]["deletionTimestamp"].isNull == false)

        h.clock.advance(by: 11)
        try await eventuallyTrue(5) { try await activeOf(h, "del", index: "0") != nil }
        let second = try await requireActive(h, "del", index: "0")
        #expect(second["metadata"]["annotations"] == ["batch.kubernetes.io/job-completion-index": "0", "batch.kubernetes.io/job-index-failure-count": "1"])
        // Released once replaced: counted, and the deletion completes.
        try await eventuallyTrue(5) { try await h.client.getIfPresent(.pods, namespace: "default", name: name) == nil }
        try await eventuallyTrue(5) { try await h.getJob("del")["status"]["failed"] == 1 }

        // Its second failure passes backoffLimitPerIndex 1: the index fails, so does the Job.
        try await h.fail(second, exitCodes: ["work": 1], finishedAt: h.clock.now)
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("del")).count == 2 }
        let job = try await h.getJob("del")
        #expect(JobHarness.conditions(job) == [
            ["type": "FailureTarget", "status": "True", "reason": "FailedIndexes", "message": "Job has failed indexes"],
            ["type": "Failed", "status": "True", "reason": "FailedIndexes", "message": "Job has failed indexes"]])
        #expect(countsOf(job) == ["failed": 2, "failedIndexes": "0", "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
        #expect(try await h.activePods("del").isEmpty)
    }
}
