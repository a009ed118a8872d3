import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// Indexed Jobs, activeDeadlineSeconds, suspend and counting across a controller restart.
@Suite(.serialized) struct JobModesTests {
    @Test func indexedPodsCarryTheirIndexAndCompletedIndexesUseIntervals() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("idx", ["completions": 4, "parallelism": 3, "completionMode": "Indexed"]))
        try await eventuallyTrue(5) { try await h.pods("idx").count == 3 }
        let pods = try await h.pods("idx")
        #expect(pods.map { String(($0["metadata"]["name"].stringValue ?? "").dropLast(5)) } == ["idx-0-", "idx-1-", "idx-2-"])
        for (i, p) in pods.enumerated() {
            #expect(p["metadata"]["annotations"] == ["batch.kubernetes.io/job-completion-index": .string(String(i))])
            #expect(p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == .string(String(i)))
            #expect(p["spec"]["hostname"] == .string("idx-\(i)"))
            #expect(p["spec"]["containers"].arrayValue?.first?["env"] == [
                ["name": "JOB_COMPLETION_INDEX",
                 "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.labels['batch.kubernetes.io/job-completion-index']"]]]])
        }
        try await h.setPhase(pods[0], "Succeeded")
        try await h.setPhase(pods[2], "Succeeded")
        try await eventuallyTrue(5) { try await h.getJob("idx")["status"]["completedIndexes"] == "0,2" }
        try await eventuallyTrue(5) { try await h.pods("idx").count == 4 }
        let fourth = try await h.pods("idx").first { ($0["metadata"]["name"].stringValue ?? "").hasPrefix("idx-3-") }
        #expect(fourth != nil)
        try await h.setPhase(pods[1], "Succeeded")
        try await eventuallyTrue(5) { try await h.getJob("idx")["status"]["completedIndexes"] == "0-2" }
        if let fourth { try await h.setPhase(fourth, "Succeeded") }
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("idx")).count == 2 }
        let job = try await h.getJob("idx")
        #expect(countsOf(job) == ["succeeded": 4, "completedIndexes": "0-3", "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
        #expect(JobHarness.conditions(job).last?["type"] == "Complete")
        #expect(try await h.pods("idx").allSatisfy { $0["metadata"]["finalizers"].isNull })
    }

    @Test func activeDeadlineDeletesActivePodsAndFailsTheJob() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("slow", ["parallelism": 2, "completions": 2, "activeDeadlineSeconds": 30]))
        try await eventuallyTrue(5) { try await h.pods("slow").count == 2 }
        try await eventuallyTrue(5) { h.clock.sleeperCount >= 1 }
        h.clock.advance(by: 29)
        try await Task.sleep(for: .milliseconds(300))
        #expect(JobHarness.conditions(try await h.getJob("slow")).isEmpty)
        h.clock.advance(by: 1)
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("slow")).count == 2 }
        let job = try await h.getJob("slow")
        #expect(JobHarness.conditions(job) == [
            ["type": "FailureTarget", "status": "True", "reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline"],
            ["type": "Failed", "status": "True", "reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline"]])
        // Unbound pods go at once once released; both were counted as failed.
        #expect(countsOf(job) == ["failed": 2, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
        try await eventuallyTrue(5) { try await h.pods("slow").isEmpty }
        try await eventuallyTrue(5) { try await h.eventTexts("slow").contains("Warning DeadlineExceeded: Job was active longer than specified deadline") }
        #expect(try await h.eventTexts("slow").filter { $0.hasPrefix("Normal SuccessfulDelete: Deleted pod: slow-") }.count == 2)
    }

    @Test func suspendDeletesActivePodsAndResumeStartsThemAgain() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("sus", ["parallelism": 2, "completions": 4]))
        try await eventuallyTrue(5) { try await h.pods("sus").count == 2 }
        _ = try await h.client.patch(.jobs, namespace: "default", name: "sus", ["spec": ["suspend": true]])
        try await eventuallyTrue(5) { try await h.pods("sus").isEmpty }
        try await eventuallyTrue(5) { countsOf(try await h.getJob("sus"))["terminating"] == 0 }
        let job = try await h.getJob("sus")
        #expect(JobHarness.conditions(job) == [["type": "Suspended", "status": "True", "reason": "JobSuspended", "message": "Job suspended"]])
        #expect(countsOf(job) == ["failed": 2, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
        _ = try await h.client.patch(.jobs, namespace: "default", name: "sus", ["spec": ["suspend": false]])
        try await eventuallyTrue(5) { try await h.pods("sus").count == 2 }
        // The status write follows the pod creations: wait for it rather than race it.
        let resumed: [JSON] = [["type": "Suspended", "status": "False", "reason": "JobResumed", "message": "Job resumed"]]
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob("sus")) == resumed }
        try await eventuallyTrue(5) { try await h.eventTexts("sus").contains("Normal Resumed: Job resumed") }
        #expect(try await h.eventTexts("sus").contains("Normal Suspended: Job suspended"))
    }

    /// Whatever step a restart interrupts, a pod is counted once: one pod recorded in
    /// uncountedTerminatedPods but still holding its finalizer, one recorded and already
    /// released, one finished and not recorded at all.
    @Test func countingResumesAfterARestartWithoutCountingTwice() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        var created = try await h.client.create(.jobs, namespace: "default", JobHarness.job("resume", ["completions": 5, "parallelism": 3, "suspend": true]))
        var pods: [JSON] = []
        for (n, keep) in [("a", true), ("b", false), ("c", true)] {
            var p = JobRules.pod(for: created, index: nil)
            p[path: ["metadata", "name"]] = .string("resume-\(n)")
            if !keep { p[path: ["metadata", "finalizers"]] = .null }
            let made = try await h.client.create(.pods, namespace: "default", p)
            try await h.setPhase(made, "Succeeded")
            pods.append(made)
        }
        created[path: ["status"]] = ["uncountedTerminatedPods": ["succeeded": [pods[0]["metadata"]["uid"], pods[1]["metadata"]["uid"]]]]
        _ = try await h.client.update(.jobs, created, status: true)
        _ = try await h.client.patch(.jobs, namespace: "default", name: "resume", ["spec": ["suspend": false]])
        h.startJobController()
        try await eventuallyTrue(5) { try await h.getJob("resume")["status"]["succeeded"] == 3 }
        try await Task.sleep(for: .milliseconds(300))
        let job = try await h.getJob("resume")
        #expect(countsOf(job) == ["succeeded": 3, "active": 2, "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]])
        for name in ["resume-a", "resume-b", "resume-c"] {
            #expect(try await h.client.get(.pods, namespace: "default", name: name)["metadata"]["finalizers"].isNull)
        }
    }
}
