import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// `spec.backoffLimitPerIndex` of Indexed Jobs (fake clock, the test playing the kubelet):
/// each index's failures ride on its pods' annotations, an index past its limit (or matched
/// by a FailIndex rule) is `status.failedIndexes` and not retried.
@Suite(.serialized) struct JobBackoffLimitPerIndexTests {
    func podOf(_ h: JobHarness, _ job: String, index: String) async throws -> JSON? {
        try await h.activePods(job).first { $0["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == .string(index) }
    }

    /// Kubernetes' interval form (`orderedIntervals.String`): a pair is written "a,b".
    @Test func indexIntervalsAreWrittenAsKubernetesWritesThem() {
        #expect(JobIndexIntervals([0...1, 3...5, 7...7]).text == "0,1,3-5,7")
        #expect(JobIndexIntervals([2...2]).text == "2")
        #expect(JobIndexIntervals().text == nil)
        #expect(JobIndexList.indexes("0,1,3-5,7", limit: 5).ranges == [0...1, 3...4])
        // Read back with the validation's fragment reader: a fragment with a part that is no
        // integer is skipped whole, as Kubernetes' parseIndexesFromString does.
        #expect(JobIndexList.indexes("0,2-x,-1,5", limit: 4).ranges == [0...0])
    }

    @Test func anIndexPastItsLimitFailsAloneAndTheJobFailsWithFailedIndexes() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        let policy: JSON = ["rules": [["action": "Ignore", "onPodConditions": [["type": "DisruptionTarget"]]]]]
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("per", [
            "completionMode": "Indexed", "completions": 3, "parallelism": 3, "backoffLimitPerIndex": 1, "podFailurePolicy": policy]))
        try await eventuallyTrue(5) { try await h.pods("per").count == 3 }
        let one = try await podOf(h, "per", index: "1")!
        #expect(one["metadata"]["annotations"] == ["batch.kubernetes.io/job-completion-index": "1", "batch.kubernetes.io/job-index-failure-count": "0"])
        try await eventuallyTrue(5) { try await h.getJob("per")["status"]["failedIndexes"] == "" }

        // Index 2's failure is ignored: its next pod counts it apart.
        try await h.fail(try await podOf(h, "per", index: "2")!, exitCodes: ["work": 137],
                         conditions: [["type": "DisruptionTarget", "status": "True", "reason": "TerminationByKubelet"]])
        // Index 1 fails once: within its limit of 1, so it is retried with the count.
        try await h.fail(one, exitCodes: ["work": 1])
        // Both failures are held (not counted) until their indexes' replacements exist.
        try await eventuallyTrue(5) { try await h.getJob("per")["status"]["active"] == 1 }
        #expect(try await h.getJob("per")["status"]["failed"] == .null)
        h.clock.advance(by: 20)
        try await eventuallyTrue(5) { try await h.activePods("per").count == 3 }
        try await eventuallyTrue(5) { try await h.getJob("per")["status"]["failed"] == 1 }
        #expect(try await podOf(h, "per", index: "2")?["metadata"]["annotations"] == [
            "batch.kubernetes.io/job-completion-index": "2", "batch.kubernetes.io/job-index-failure-count": "0",
            "batch.kubernetes.io/job-index-ignored-failure-count": "1"])
        let retry = try await podOf(h, "per", index: "1")!
        #expect(retry["metadata"]["annotations"] == ["batch.kubernetes.io/job-completion-index": "1", "batch.kubernetes.io/job-index-failure-count": "1"])

        // Its second failure passes the limit: index 1 failed, not retried.
        try await h.fail(retry, exitCodes: ["work": 1])
        try await eventuallyTrue(5) { try await h.getJob("per")["status"]["failedIndexes"] == "1" }
        h.clock.advance(by: 60)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await h.activePods("per").count == 2)
        #expect(JobHarness.conditions(try await h.getJob("per")) == [])

        for i in ["0", "2"] { try await h.setPhase(try await podOf(h, "per", index: i)!, "Succeeded") }
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("per")).count == 2 }
        let job = try await h.getJob("per")
        #expect(JobHarness.conditions(job) == [
            ["type": "FailureTarget", "status": "True", "reason": "FailedIndexes", "message": "Job has failed indexes"],
            ["type": "Failed", "status": "True", "reason": "FailedIndexes", "message": "Job has failed indexes"]])
        #expect(countsOf(job) == ["failed": 2, "succeeded": 2, "completedIndexes": "0,2", "failedIndexes": "1", "ready": 0, "terminating": 0,
                                  "uncountedTerminatedPods": [:]])
    }

    /// FailIndex fails the index at its first failure; more failed indexes than
    /// maxFailedIndexes fail the Job, stopping the other indexes' pods.
    @Test func failIndexRuleAndMaxFailedIndexes() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        let policy: JSON = ["rules": [["action": "FailIndex", "onExitCodes": ["operator": "In", "values": [42]]]]]
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("maxf", [
            "completionMode": "Indexed", "completions": 4, "parallelism": 4, "backoffLimitPerIndex": 3, "maxFailedIndexes": 1, "podFailurePolicy": policy]))
        try await eventuallyTrue(5) { try await h.pods("maxf").count == 4 }
        try await h.fail(try await podOf(h, "maxf", index: "0")!, exitCodes: ["work": 42])
        try await eventuallyTrue(5) { try await h.getJob("maxf")["status"]["failedIndexes"] == "0" }
        h.clock.advance(by: 60)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await h.pods("maxf").count == 4)
        #expect(JobHarness.conditions(try await h.getJob("maxf")) == [])

        try await h.fail(try await podOf(h, "maxf", index: "1")!, exitCodes: ["work": 42])
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("maxf")).count == 2 }
        let job = try await h.getJob("maxf")
        let message: JSON = "Job has exceeded the specified maximal number of failed indexes"
        #expect(JobHarness.conditions(job) == [
            ["type": "FailureTarget", "status": "True", "reason": "MaxFailedIndexesExceeded", "message": message],
            ["type": "Failed", "status": "True", "reason": "MaxFailedIndexesExceeded", "message": message]])
        #expect(countsOf(job) == ["failed": 4, "failedIndexes": "0,1", "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
    }
}
