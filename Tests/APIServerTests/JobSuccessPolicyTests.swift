import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// `spec.successPolicy` in the Job controller: the first rule that holds makes the Job
/// succeed early (SuccessCriteriaMet, then Complete once the other pods are gone); pods
/// stopped then are not counted as failed.
@Suite(.serialized) struct JobSuccessPolicyTests {
    static func spec(_ completions: Int, _ rules: JSON) -> JSON {
        ["completionMode": "Indexed", "completions": .int(completions), "parallelism": .int(completions), "successPolicy": ["rules": rules]]
    }

    /// The Job's pods by their completion index.
    func podsByIndex(_ h: JobHarness, _ job: String) async throws -> [Int: JSON] {
        var out: [Int: JSON] = [:]
        for p in try await h.pods(job) { if let i = JobRules.index(p) { out[i] = p } }
        return out
    }

    func expectSucceededByPolicy(_ h: JobHarness, _ name: String, rule: Int, counts: JSON, left: [JSON], deleted: Int) async throws {
        try await eventuallyTrue(5) { JobHarness.conditions(try await h.getJob(name)).count == 2 }
        let job = try await h.getJob(name)
        let message = JSON.string("Matched rules at index \(rule)")
        #expect(JobHarness.conditions(job) == [
            ["type": "SuccessCriteriaMet", "status": "True", "reason": "SuccessPolicy", "message": message],
            ["type": "Complete", "status": "True", "reason": "SuccessPolicy", "message": message]])
        #expect(countsOf(job) == counts)
        #expect(!job["status"]["completionTime"].isNull)
        // Only the finished pods are left (phases by index), let go; the others were deleted.
        try await eventuallyTrue(5) { try await h.pods(name).count == left.count }
        let pods = try await h.pods(name)
        #expect(pods.map { $0["status"]["phase"] } == left)
        #expect(pods.allSatisfy { $0["metadata"]["finalizers"].isNull })
        try await eventuallyTrue(5) { try await h.eventTexts(name).contains("Normal Completed: Job completed") }
        #expect(try await h.eventTexts(name).filter { $0.hasPrefix("Normal SuccessfulDelete: Deleted pod: \(name)-") }.count == deleted)
    }

    @Test func succeededIndexesRuleCompletesTheJobOnceAllItsIndexesSucceeded() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("lead", Self.spec(4, [["succeededIndexes": "0,2"]])))
        try await eventuallyTrue(5) { try await h.pods("lead").count == 4 }
        var pods = try await podsByIndex(h, "lead")
        try await h.setPhase(pods[0]!, "Succeeded")
        try await eventuallyTrue(5) { try await h.getJob("lead")["status"]["completedIndexes"] == "0" }
        try await Task.sleep(for: .milliseconds(300))
        #expect(JobHarness.conditions(try await h.getJob("lead")).isEmpty)
        pods = try await podsByIndex(h, "lead")
        #expect(pods.keys.sorted() == [0, 1, 2, 3])
        try await h.setPhase(pods[2]!, "Succeeded")
        try await expectSucceededByPolicy(h, "lead", rule: 0, counts: [
            "succeeded": 2, "completedIndexes": "0,2", "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]], left: ["Succeeded", "Succeeded"], deleted: 2)
    }

    @Test func rulesAreTriedInOrderAndASucceededCountRuleCountsAnyIndexes() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("count", Self.spec(5, [
            ["succeededIndexes": "3-4"], ["succeededCount": 2]])))
        try await eventuallyTrue(5) { try await h.pods("count").count == 5 }
        let pods = try await podsByIndex(h, "count")
        try await h.setPhase(pods[0]!, "Succeeded")
        try await h.setPhase(pods[1]!, "Succeeded")
        try await expectSucceededByPolicy(h, "count", rule: 1, counts: [
            "succeeded": 2, "completedIndexes": "0,1", "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]], left: ["Succeeded", "Succeeded"], deleted: 3)
    }

    @Test func bothFieldsNeedThatManyOfTheListedIndexes() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("both", Self.spec(4, [
            ["succeededIndexes": "0-2", "succeededCount": 2]])))
        try await eventuallyTrue(5) { try await h.pods("both").count == 4 }
        var pods = try await podsByIndex(h, "both")
        try await h.setPhase(pods[3]!, "Succeeded")
        try await h.setPhase(pods[0]!, "Succeeded")
        try await eventuallyTrue(5) { try await h.getJob("both")["status"]["completedIndexes"] == "0,3" }
        try await Task.sleep(for: .milliseconds(300))
        #expect(JobHarness.conditions(try await h.getJob("both")).isEmpty)
        pods = try await podsByIndex(h, "both")
        try await h.setPhase(pods[1]!, "Succeeded")
        try await expectSucceededByPolicy(h, "both", rule: 0, counts: [
            "succeeded": 3, "completedIndexes": "0,1,3", "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]],
            left: ["Succeeded", "Succeeded", "Succeeded"], deleted: 1)
    }

    @Test func aPodThatFailedBeforeTheMatchStaysCounted() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("flaky", Self.spec(3, [["succeededCount": 1]])))
        try await eventuallyTrue(5) { try await h.pods("flaky").count == 3 }
        let pods = try await podsByIndex(h, "flaky")
        try await h.fail(pods[2]!)
        try await eventuallyTrue(5) { try await h.getJob("flaky")["status"]["failed"] == 1 }
        try await h.setPhase(pods[0]!, "Succeeded")
        try await expectSucceededByPolicy(h, "flaky", rule: 0, counts: [
            "succeeded": 1, "failed": 1, "completedIndexes": "0", "ready": 0, "terminating": 0, "uncountedTerminatedPods": [:]],
            left: ["Succeeded", "Failed"], deleted: 1)
    }
}
