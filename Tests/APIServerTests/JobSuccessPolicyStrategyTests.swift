import Foundation
import Testing
@testable import apiserver

/// The server side of `spec.successPolicy`: stored as given, fixed after create, and
/// Kubernetes' validation messages (422, nothing stored).
@Suite(.serialized) struct JobSuccessPolicyStrategyTests {
    func refusal(_ s: InProcessServer, _ name: String, _ spec: JSON) async -> String {
        do {
            _ = try await s.client.create(.jobs, namespace: "default", JobHarness.job(name, spec))
            return "accepted"
        } catch {
            return "\(error.code) \(error.message)"
        }
    }

    static func indexed(_ completions: Int, _ rules: JSON) -> JSON {
        ["completionMode": "Indexed", "completions": .int(completions), "successPolicy": ["rules": rules]]
    }

    @Test func aPolicyIsStoredAsGivenAndIsImmutable() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("sp", Self.indexed(5, [
            ["succeededIndexes": "0-2,4"], ["succeededCount": 2], ["succeededIndexes": "1,3", "succeededCount": 1]])))
        #expect(job["spec"]["successPolicy"] == ["rules": [["succeededIndexes": "0-2,4"], ["succeededCount": 2], ["succeededIndexes": "1,3", "succeededCount": 1]]])
        do {
            _ = try await s.client.patch(.jobs, namespace: "default", name: "sp", ["spec": ["successPolicy": ["rules": [["succeededCount": 1]]]]])
            Issue.record("a changed successPolicy was accepted")
        } catch {
            #expect("\(error.code) \(error.message)" ==
                #"422 Job.batch "sp" is invalid: spec.successPolicy: Invalid value: "{"rules":[{"succeededCount":1}]}": field is immutable"#)
        }
        #expect(try await s.client.get(.jobs, namespace: "default", name: "sp")["spec"]["successPolicy"] == job["spec"]["successPolicy"])
    }

    @Test func badPoliciesAreRefusedWithKubernetesMessages() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        #expect(await refusal(s, "ni", ["completions": 3, "successPolicy": ["rules": [["succeededCount": 1]]]]) ==
            "422 Job.batch \"ni\" is invalid: spec.successPolicy: Invalid value: {\"rules\":[{\"succeededCount\":1}]}: requires indexed completion mode")
        #expect(await refusal(s, "empty", Self.indexed(3, [])) ==
            "422 Job.batch \"empty\" is invalid: spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified")
        #expect(await refusal(s, "neither", Self.indexed(3, [[:]])) ==
            "422 Job.batch \"neither\" is invalid: spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified")
        let many = JSON.array(Array(repeating: ["succeededCount": 1], count: 21))
        #expect(await refusal(s, "many", Self.indexed(3, many)) ==
            "422 Job.batch \"many\" is invalid: spec.successPolicy.rules: Too many: 21: must have at most 20 items")
        #expect(await refusal(s, "counts", Self.indexed(3, [["succeededIndexes": "0,1", "succeededCount": 4], ["succeededCount": -1]])) ==
            "422 Job.batch \"counts\" is invalid: [" +
            "spec.successPolicy.rules[0].succeededCount: Invalid value: 4: must be less than or equal to 3 (the number of specified completions), " +
            "spec.successPolicy.rules[0].succeededCount: Invalid value: 4: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field), " +
            "spec.successPolicy.rules[1].succeededCount: Invalid value: -1: must be greater than or equal to 0]")
        let long = String(repeating: "0", count: 65536) + "1"
        #expect(await refusal(s, "long", Self.indexed(3, [["succeededIndexes": .string(long)]])) ==
            "422 Job.batch \"long\" is invalid: spec.successPolicy.rules[0].succeededIndexes: Too long: must have at most 65536 bytes")
    }

    @Test func succeededIndexesThatDoNotParseAreRefused() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let cases: [(String, String)] = [
            ("0-1-2", "the fragment \"0-1-2\" violates the requirement that an index interval can have at most two parts separated by '-'"),
            ("a", "cannot convert string to integer for index: \"a\""),
            ("0,", "cannot convert string to integer for index: \"\""),
            ("1-3", "too large index: \"3\""),
            ("2-1", "non-increasing order, previous: 2, current: 1"),
            ("0-1,1", "non-increasing order, previous: 1, current: 1"),
        ]
        for (i, (indexes, why)) in cases.enumerated() {
            // A count of 1 is also over the 0 indexes a string that does not parse names.
            #expect(await refusal(s, "bad\(i)", Self.indexed(3, [["succeededIndexes": .string(indexes), "succeededCount": 1]])) ==
                "422 Job.batch \"bad\(i)\" is invalid: [spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"\(indexes)\": error parsing succeededIndexes: \(why), " +
                "spec.successPolicy.rules[0].succeededCount: Invalid value: 1: must be less than or equal to 0 (the number of indexes in the specified succeededIndexes field)]")
        }
        #expect(try await s.client.list(.jobs, namespace: "default").items.isEmpty)
    }
}
