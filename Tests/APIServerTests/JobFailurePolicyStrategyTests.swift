import Foundation
import Testing
@testable import apiserver

/// The server side of `spec.podFailurePolicy` and `backoffLimitPerIndex`: Kubernetes'
/// defaults and its validation messages (422, nothing stored).
@Suite(.serialized) struct JobFailurePolicyStrategyTests {
    func refusal(_ s: InProcessServer, _ job: JSON) async -> String {
        do {
            _ = try await s.client.create(.jobs, namespace: "default", job)
            return "accepted"
        } catch {
            return "\(error.code) \(error.message)"
        }
    }

    static func policy(_ rules: JSON) -> JSON { ["rules": rules] }

    @Test func defaultsReplacementPolicyConditionStatusAndPerIndexBackoffLimit() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let rules: JSON = [["action": "Ignore", "onPodConditions": [["type": "DisruptionTarget"]]],
                           ["action": "FailJob", "onExitCodes": ["containerName": "work", "operator": "In", "values": [42]]]]
        let job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("pfp", ["podFailurePolicy": Self.policy(rules)]))
        #expect(job["spec"]["podReplacementPolicy"] == "Failed")
        #expect(job["spec"]["backoffLimit"] == 6)
        #expect(job["spec"]["podFailurePolicy"] == ["rules": [
            ["action": "Ignore", "onPodConditions": [["type": "DisruptionTarget", "status": "True"]]],
            ["action": "FailJob", "onExitCodes": ["containerName": "work", "operator": "In", "values": [42]]]]])
        #expect(try await s.client.get(.jobs, namespace: "default", name: "pfp") == job)

        let plain = try await s.client.create(.jobs, namespace: "default", JobHarness.job("plain"))
        #expect(plain["spec"]["podReplacementPolicy"] == "TerminatingOrFailed")

        let perIndex = try await s.client.create(.jobs, namespace: "default", JobHarness.job("per", [
            "completionMode": "Indexed", "completions": 3, "backoffLimitPerIndex": 1, "maxFailedIndexes": 2]))
        #expect(perIndex["spec"]["backoffLimit"] == 2147483647)
        #expect(perIndex["spec"]["backoffLimitPerIndex"] == 1)
        #expect(perIndex["spec"]["maxFailedIndexes"] == 2)
    }

    @Test func badPoliciesAreRefusedWithKubernetesMessages() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let failOn42: JSON = [["action": "FailJob", "onExitCodes": ["operator": "In", "values": [42]]]]
        var onFailure = JobHarness.job("onf", ["podFailurePolicy": Self.policy(failOn42)])
        onFailure[path: ["spec", "template", "spec", "restartPolicy"]] = "OnFailure"
        #expect(await refusal(s, onFailure) ==
            "422 Job.batch \"onf\" is invalid: spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" is supported when podFailurePolicy is specified")
        #expect(await refusal(s, JobHarness.job("repl", ["podFailurePolicy": Self.policy(failOn42), "podReplacementPolicy": "TerminatingOrFailed"])) ==
            "422 Job.batch \"repl\" is invalid: spec.podReplacementPolicy: Unsupported value: \"TerminatingOrFailed\": supported values: \"Failed\"")
        #expect(await refusal(s, JobHarness.job("none", ["podFailurePolicy": Self.policy([["action": "FailJob"]])])) ==
            "422 Job.batch \"none\" is invalid: spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required")
        let both: JSON = [["action": "Count", "onExitCodes": ["operator": "In", "values": [1]], "onPodConditions": [["type": "DisruptionTarget"]]]]
        #expect(await refusal(s, JobHarness.job("both", ["podFailurePolicy": Self.policy(both)])) ==
            "422 Job.batch \"both\" is invalid: spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported")
        let codes: JSON = [["action": "Stop", "onExitCodes": ["containerName": "nope", "operator": "In", "values": [0, 3, 2, 2]]]]
        #expect(await refusal(s, JobHarness.job("codes", ["podFailurePolicy": Self.policy(codes)])) ==
            "422 Job.batch \"codes\" is invalid: [spec.podFailurePolicy.rules[0].action: Unsupported value: \"Stop\": supported values: \"Count\", \"FailIndex\", \"FailJob\", \"Ignore\", " +
            "spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: \"nope\": must be one of the container or initContainer names in the pod template, " +
            "spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator, " +
            "spec.podFailurePolicy.rules[0].onExitCodes.values[3]: Duplicate value: 2, " +
            "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{0, 3, 2, 2}: must be ordered]")
        let empty: JSON = [["onExitCodes": ["operator": "Within"]], ["action": "Ignore", "onExitCodes": ["values": []]]]
        let emptyRefusal = await refusal(s, JobHarness.job("empty", ["podFailurePolicy": Self.policy(empty)]))
        #expect(emptyRefusal ==
            "422 Job.batch \"empty\" is invalid: [spec.podFailurePolicy.rules[0].action: Required value: valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"], " +
            "spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: \"Within\": supported values: \"In\", \"NotIn\", " +
            "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32(nil): at least one value is required, " +
            "spec.podFailurePolicy.rules[1].onExitCodes.operator: Required value: valid values: [\"In\" \"NotIn\"], " +
            "spec.podFailurePolicy.rules[1].onExitCodes.values: Invalid value: []int32{}: at least one value is required]")
        let conditions: JSON = [["action": "Ignore", "onPodConditions": [["type": "Bad Type", "status": "Maybe"]]]]
        #expect(await refusal(s, JobHarness.job("cond", ["podFailurePolicy": Self.policy(conditions)])) ==
            "422 Job.batch \"cond\" is invalid: [spec.podFailurePolicy.rules[0].onPodConditions[0].type: Invalid value: \"Bad Type\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, " +
            "spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: \"Maybe\": supported values: \"False\", \"True\", \"Unknown\"]")
        let many = JSON.array(Array(repeating: failOn42.arrayValue![0], count: 21))
        #expect(await refusal(s, JobHarness.job("many", ["podFailurePolicy": Self.policy(many)])) ==
            "422 Job.batch \"many\" is invalid: spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items")
        let failIndex: JSON = [["action": "FailIndex", "onExitCodes": ["operator": "In", "values": [42]]]]
        #expect(await refusal(s, JobHarness.job("fidx", ["podFailurePolicy": Self.policy(failIndex)])) ==
            "422 Job.batch \"fidx\" is invalid: spec.podFailurePolicy.rules[0].action: Invalid value: \"FailIndex\": requires the backoffLimitPerIndex to be set")
        #expect(await refusal(s, JobHarness.job("perix", ["backoffLimitPerIndex": 1, "maxFailedIndexes": 1])) ==
            "422 Job.batch \"perix\" is invalid: [spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode, spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode]")
        #expect(await refusal(s, JobHarness.job("maxf", ["completionMode": "Indexed", "completions": 2, "maxFailedIndexes": 3])) ==
            "422 Job.batch \"maxf\" is invalid: [spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified, spec.maxFailedIndexes: Invalid value: 3: must be less than or equal to completions]")
        #expect(try await s.client.list(.jobs, namespace: "default").items.isEmpty)
    }

    /// Kubernetes' caps for Indexed Jobs (validateJobSpec), with its messages.
    @Test func indexedJobsAreCapped() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        #expect(await refusal(s, JobHarness.job("wide", ["completionMode": "Indexed", "completions": 200000, "parallelism": 100001])) ==
            "422 Job.batch \"wide\" is invalid: spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed")
        #expect(await refusal(s, JobHarness.job("many", ["completionMode": "Indexed", "completions": 200000, "parallelism": 20000, "backoffLimitPerIndex": 1])) ==
            "422 Job.batch \"many\" is invalid: [spec.maxFailedIndexes: Required value: must be specified when completions is above 100000, " +
            "spec.parallelism: Invalid value: 20000: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index]")
        #expect(await refusal(s, JobHarness.job("fails", ["completionMode": "Indexed", "completions": 200000, "backoffLimitPerIndex": 1, "maxFailedIndexes": 20000])) ==
            "422 Job.batch \"fails\" is invalid: spec.maxFailedIndexes: Invalid value: 20000: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index")
        #expect(await refusal(s, JobHarness.job("ok", ["completionMode": "Indexed", "completions": 200000, "parallelism": 100000])) == "accepted")
        // The last index's pod hostname must be a DNS label (at most 63 characters).
        let long = String(repeating: "j", count: 60)
        #expect(await refusal(s, JobHarness.job(long, ["completionMode": "Indexed", "completions": 1000])) ==
            "422 Job.batch \"\(long)\" is invalid: metadata.name: Invalid value: \"\(long)\": will not able to create pod with invalid DNS label: \(long)-999")
        #expect(await refusal(s, JobHarness.job(long, ["completionMode": "Indexed", "completions": 100])) == "accepted")
    }

    /// An Indexed Job with the most completions Kubernetes allows makes only the pods its
    /// parallelism asks for (the free indexes are found lazily, not listed).
    @Test func aHugeIndexedJobMakesOnlyItsParallelPods() async throws {
        let h = try await JobHarness()
        defer { Task { await h.stop() } }
        h.startJobController()
        _ = try await h.client.create(.jobs, namespace: "default", JobHarness.job("huge", ["completionMode": "Indexed", "completions": 2147483647, "parallelism": 2]))
        try await eventuallyTrue(5) { try await h.pods("huge").count == 2 }
        let indexes = try await h.pods("huge").compactMap { $0["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"].stringValue }.sorted()
        #expect(indexes == ["0", "1"])
    }

    @Test func policyAndPerIndexLimitAreImmutable() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let rules: JSON = [["action": "FailJob", "onExitCodes": ["operator": "In", "values": [42]]]]
        let job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("fixed", ["podFailurePolicy": Self.policy(rules)]))
        var changed = job
        changed[path: ["spec", "podFailurePolicy"]] = Self.policy([["action": "Ignore", "onExitCodes": ["operator": "In", "values": [42]]]])
        do {
            _ = try await s.client.update(.jobs, changed)
            Issue.record("podFailurePolicy change accepted")
        } catch {
            #expect(error.code == 422)
            #expect(error.message.hasPrefix("Job.batch \"fixed\" is invalid: spec.podFailurePolicy: Invalid value: \"{"))
            #expect(error.message.hasSuffix("}\": field is immutable"))
        }
        #expect(try await s.client.get(.jobs, namespace: "default", name: "fixed") == job)
    }
}
