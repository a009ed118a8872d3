import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// `spec.podFailurePolicy` in the Job controller (fake clock, the test playing the kubelet):
/// FailJob, Ignore and the default Count, by exit codes and by pod conditions.
@Suite(.serialized) struct JobPodFailurePolicyTests {
    /// The first matching rule decides: exit code 42 of `work` skips the Ignore rule for 1
    /// and fails the Job through FailureTarget with Kubernetes' message; the other pod is
    /// stopped and counted as failed.
    @Test func exitCodeMatchingFailJobFailsTheJobWithTheRulesMessage() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        let policy: JSON = ["rules": [
            ["action": "Ignore", "onExitCodes": ["operator": "In", "values": [1]]],
            ["action": "FailJob", "onExitCodes": ["containerName": "work", "operator": "In", "values": [42]]]]]
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("exit42", ["completions": 2, "parallelism": 2, "podFailurePolicy": policy]))
        try await eventuallyTrue(5) { try await h.pods("exit42").count == 2 }
        let pod = try await h.pods("exit42")[0]
        let name = pod["metadata"]["name"].stringValue ?? ""
        try await h.fail(pod, exitCodes: ["work": 42])
        let message = "Container work for pod default/\(name) failed with exit code 42 matching FailJob rule at index 1"
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("exit42")).count == 2 }
        let job = try await h.getJob("exit42")
        #expect(JobHarness.conditions(job) == [
            ["type": "FailureTarget", "status": "True", "reason": "PodFailurePolicy", "message": .string(message)],
            ["type": "Failed", "status": "True", "reason": "PodFailurePolicy", "message": .string(message)]])
        #expect(countsOf(job) == ["failed": 2, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
        try await eventuallyTrue(5) { try await h.eventTexts("exit42").contains("Warning PodFailurePolicy: \(message)") }
    }

    /// An Ignore rule on DisruptionTarget: the failure is not counted (backoffLimit 0 is
    /// not passed), the pod is let go and replaced after the back-off; a failure no rule
    /// matches counts as usual.
    @Test func ignoredFailureIsNotCountedAndThePodIsReplaced() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        let policy: JSON = ["rules": [["action": "Ignore", "onPodConditions": [["type": "DisruptionTarget"]]]]]
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("evicted", ["backoffLimit": 0, "podFailurePolicy": policy]))
        try await eventuallyTrue(5) { try await h.pods("evicted").count == 1 }
        let first = try await h.pods("evicted")[0]
        try await h.fail(first, exitCodes: ["work": 137],
                         conditions: [["type": "DisruptionTarget", "status": "True", "reason": "TerminationByKubelet", "message": "evicted"]])
        try await eventuallyTrue(5) {
            try await h.client.get(.pods, namespace: "default", name: first["metadata"]["name"].stringValue ?? "")["metadata"]["finalizers"].isNull
        }
        try await Task.sleep(for: .milliseconds(300))
        var job = try await h.getJob("evicted")
        #expect(countsOf(job) == ["ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
        #expect(JobHarness.conditions(job) == [])
        #expect(try await h.pods("evicted").count == 1)
        h.clock.advance(by: 10)
        try await eventuallyTrue(5) { try await h.pods("evicted").count == 2 }
        try await eventuallyTrue(5) { try await countsOf(h.getJob("evicted")) == ["active": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]] }

        let second = try await h.activePods("evicted")[0]
        try await h.fail(second, exitCodes: ["work": 1])
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("evicted")).count == 2 }
        job = try await h.getJob("evicted")
        #expect(JobHarness.conditions(job)[1] == ["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                                                  "message": "Job has reached the specified backoff limit"])
        #expect(countsOf(job) == ["failed": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
    }

    /// NotIn: exit code 2 is in the list, so it counts; an init container's 7 is not, so
    /// it fails the Job (init containers are looked at too).
    @Test func notInMatchesInitContainersExitCodes() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        let policy: JSON = ["rules": [["action": "FailJob", "onExitCodes": ["operator": "NotIn", "values": [1, 2]]]]]
        var spec = JobHarness.job("codes", ["backoffLimit": 3, "podFailurePolicy": policy])
        spec[path: ["spec", "template", "spec", "initContainers"]] = [["name": "setup", "image": "busybox"]]
        _ = try await h.client.create(.jobs, namespace: "default", spec)
        try await eventuallyTrue(5) { try await h.pods("codes").count == 1 }
        try await h.fail(try await h.pods("codes")[0], exitCodes: ["work": 2])
        try await eventuallyTrue(5) { try await h.getJob("codes")["status"]["failed"] == 1 }
        #expect(JobHarness.conditions(try await h.getJob("codes")) == [])
        h.clock.advance(by: 10)
        try await eventuallyTrue(5) { try await h.activePods("codes").count == 1 }
        let second = try await h.activePods("codes")[0]
        try await h.fail(second, initExitCodes: ["setup": 7])
        let message = "Container setup for pod default/\(second["metadata"]["name"].stringValue ?? "") failed with exit code 7 matching FailJob rule at index 0"
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("codes")).count == 2 }
        let job = try await h.getJob("codes")
        #expect(JobHarness.conditions(job)[1] == ["type": "Failed", "status": "True", "reason": "PodFailurePolicy", "message": .string(message)])
        #expect(countsOf(job) == ["failed": 2, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
    }

    /// A pod being deleted is not matched (nor counted, nor replaced: podReplacementPolicy
    /// defaults to Failed) until it has reached phase Failed; then its DisruptionTarget
    /// condition matches the FailJob rule.
    @Test func aTerminatingPodIsMatchedOnlyOnceFailed() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        _ = try await h.client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]])
        h.startJobController()
        let policy: JSON = ["rules": [["action": "FailJob", "onPodConditions": [["type": "DisruptionTarget"]]]]]
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("drain", ["podFailurePolicy": policy]))
        try await eventuallyTrue(5) { try await h.pods("drain").count == 1 }
        let pod = try await h.pods("drain")[0]
        let name = pod["metadata"]["name"].stringValue ?? ""
        try await h.client.bind(namespace: "default", name: name, node: "n1")
        var running = try await h.client.get(.pods, namespace: "default", name: name)
        running[path: ["status", "phase"]] = "Running"
        running[path: ["status", "conditions"]] = [["type": "DisruptionTarget", "status": "True", "reason": "DeletionByTaintManager", "message": "Taint manager: deleting due to NoExecute taint"]]
        _ = try await h.client.update(.pods, running, status: true)
        _ = try await h.client.delete(.pods, namespace: "default", name: name)
        try await eventuallyTrue(5) { try await h.getJob("drain")["status"]["terminating"] == 1 }
        try await Task.sleep(for: .milliseconds(300))
        h.clock.advance(by: 60)
        try await Task.sleep(for: .milliseconds(300))
        #expect(countsOf(try await h.getJob("drain")) == ["ready": 0, "terminating": 1, "uncountedTerminatedPods": [:]])
        #expect(JobHarness.conditions(try await h.getJob("drain")) == [])
        #expect(try await h.pods("drain").count == 1)
        #expect(try await h.client.get(.pods, namespace: "default", name: name)["metadata"]["finalizers"] == ["batch.kubernetes.io/job-tracking"])

        try await h.fail(pod, exitCodes: ["work": 143])
        let message = "Pod default/\(name) has condition DisruptionTarget matching FailJob rule at index 0"
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("drain")).count == 2 }
        let job = try await h.getJob("drain")
        #expect(JobHarness.conditions(job) == [
            ["type": "FailureTarget", "status": "True", "reason": "PodFailurePolicy", "message": .string(message)],
            ["type": "Failed", "status": "True", "reason": "PodFailurePolicy", "message": .string(message)]])
        #expect(countsOf(job) == ["failed": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
        #expect(try await h.pods("drain").count == 1)
    }
}
