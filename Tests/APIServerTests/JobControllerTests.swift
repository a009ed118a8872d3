import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// The Job controller on a fake clock, the test playing the kubelet (pod phases).
@Suite(.serialized) struct JobControllerTests {
    @Test func completionsThreeParallelismTwoCompletesWithEveryPodCountedOnce() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        let job = try await h.client.create(.jobs, namespace: "default", JobHarness.job("three", ["completions": 3, "parallelism": 2]))
        let uid = job["metadata"]["uid"].stringValue ?? ""
        try await eventuallyTrue(5) { try await h.pods("three").count == 2 }
        let first = try await h.pods("three")
        for p in first {
            #expect(p["metadata"]["generateName"] == "three-")
            #expect(p["metadata"]["finalizers"] == ["batch.kubernetes.io/job-tracking"])
            #expect(p["metadata"]["labels"] == ["batch.kubernetes.io/controller-uid": .string(uid), "batch.kubernetes.io/job-name": "three",
                                                "controller-uid": .string(uid), "job-name": "three"])
            #expect(p["metadata"]["ownerReferences"] == [["apiVersion": "batch/v1", "kind": "Job", "name": "three", "uid": .string(uid),
                                                          "controller": true, "blockOwnerDeletion": true]])
        }
        try await eventuallyTrue(5) { try await countsOf(h.getJob("three")) == ["active": 2, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]] }
        #expect(try await h.getJob("three")["status"]["startTime"].stringValue != nil)

        try await h.setPhase(first[0], "Succeeded")
        // Counted, then released: the finalizer goes only after the count is in the status.
        try await eventuallyTrue(5) { try await h.pods("three").count == 3 }
        try await eventuallyTrue(5) {
            try await countsOf(h.getJob("three")) == ["active": 2, "succeeded": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]]
        }
        let done = try await h.client.get(.pods, namespace: "default", name: first[0]["metadata"]["name"].stringValue ?? "")
        #expect(done["metadata"]["finalizers"].isNull)

        for p in try await h.activePods("three") { try await h.setPhase(p, "Succeeded") }
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("three")).count == 2 }
        let finished = try await h.getJob("three")
        #expect(countsOf(finished) == ["succeeded": 3, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
        #expect(JobHarness.conditions(finished) == [
            ["type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"],
            ["type": "Complete", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"]])
        #expect(finished["status"]["completionTime"].stringValue != nil)
        let pods = try await h.pods("three")
        #expect(pods.count == 3)
        #expect(pods.allSatisfy { $0["metadata"]["finalizers"].isNull })
        try await eventuallyTrue(5) { try await h.eventTexts("three").count == 4 }
        #expect(try await h.eventTexts("three").map { $0.replacingOccurrences(of: #"three-\w{5}"#, with: "three-?", options: .regularExpression) } == [
            "Normal SuccessfulCreate: Created pod: three-?", "Normal SuccessfulCreate: Created pod: three-?",
            "Normal SuccessfulCreate: Created pod: three-?", "Normal Completed: Job completed"])
    }

    @Test func backoffLimitFailsTheJobAfterTheBackOffAndOnlyOnceEveryPodStopped() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        _ = try await h.client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]])
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("flaky", ["completions": 4, "parallelism": 2, "backoffLimit": 1]))
        try await eventuallyTrue(5) { try await h.pods("flaky").count == 2 }
        let first = try await h.pods("flaky")
        // Both run on n1, so a delete is graceful: the pod stays Terminating until "the kubelet" ends it.
        for p in first {
            try await h.client.bind(namespace: "default", name: p["metadata"]["name"].stringValue ?? "", node: "n1")
            try await h.setPhase(p, "Running")
        }
        try await h.setPhase(first[0], "Failed")
        try await eventuallyTrue(5) { try await h.getJob("flaky")["status"]["failed"] == 1 }
        // The replacement waits 10 s on the controller's clock.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await h.pods("flaky").count == 2)
        h.clock.advance(by: 9)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await h.pods("flaky").count == 2)
        h.clock.advance(by: 1)
        try await eventuallyTrue(5) { try await h.pods("flaky").count == 3 }

        let third = try await h.pods("flaky").first { p in !first.contains { $0["metadata"]["uid"] == p["metadata"]["uid"] } }!
        try await h.client.bind(namespace: "default", name: third["metadata"]["name"].stringValue ?? "", node: "n1")
        try await h.setPhase(third, "Running")

        // A second failure passes backoffLimit 1: FailureTarget now; the running pod is deleted,
        // counted as failed and released, and Failed waits until it has stopped.
        try await h.setPhase(first[1], "Failed")
        try await eventuallyTrue(5) { try await h.getJob("flaky")["status"]["failed"] == 3 }
        try await Task.sleep(for: .milliseconds(300))
        var job = try await h.getJob("flaky")
        #expect(JobHarness.conditions(job) == [["type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded",
                                               "message": "Job has reached the specified backoff limit"]])
        #expect(countsOf(job) == ["failed": 3, "ready": 0, "terminating": 1, "uncountedTerminatedPods": [:]])
        let stopping = try await h.client.get(.pods, namespace: "default", name: third["metadata"]["name"].stringValue ?? "")
        #expect(stopping["metadata"]["deletionTimestamp"].stringValue != nil)
        #expect(stopping["metadata"]["finalizers"].isNull)
        // "The kubelet" ends it.
        try await h.setPhase(third, "Failed")
        _ = try await h.client.delete(.pods, namespace: "default", name: third["metadata"]["name"].stringValue ?? "", gracePeriodSeconds: 0)
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("flaky")).count == 2 }
        job = try await h.getJob("flaky")
        #expect(JobHarness.conditions(job)[1] == ["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                                                  "message": "Job has reached the specified backoff limit"])
        #expect(countsOf(job) == ["failed": 3, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
        #expect(job["status"]["completionTime"].isNull)
        try await eventuallyTrue(5) { try await h.eventTexts("flaky").contains("Warning BackoffLimitExceeded: Job has reached the specified backoff limit") }
    }
    /// A running pod deleted by someone else keeps its finalizer until the Job has counted it
    /// (as failed: TerminatingOrFailed), then it is let go and replaced at once (it did
    /// not fail by running, so no back-off).
    @Test func aRunningPodDeletedByAUserIsCountedThenReplaced() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        _ = try await h.client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]])
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("gone", ["completions": 1]))
        try await eventuallyTrue(5) { try await h.pods("gone").count == 1 }
        let pod = try await h.pods("gone")[0]
        let name = pod["metadata"]["name"].stringValue ?? ""
        try await h.client.bind(namespace: "default", name: name, node: "n1")
        try await h.setPhase(pod, "Running")
        _ = try await h.client.delete(.pods, namespace: "default", name: name)
        try await eventuallyTrue(5) { try await h.getJob("gone")["status"]["failed"] == 1 }
        let held = try await h.client.get(.pods, namespace: "default", name: name)
        #expect(held["metadata"]["finalizers"].isNull)
        #expect(held["metadata"]["deletionTimestamp"].stringValue != nil)
        try await eventuallyTrue(5) { try await h.pods("gone").count == 2 }
        try await eventuallyTrue(5) { try await h.getJob("gone")["status"]["terminating"] == 1 }
        #expect(countsOf(try await h.getJob("gone")) == ["active": 1, "failed": 1, "ready": 0, "terminating": 1, "uncountedTerminatedPods": [:]])
    }
}
