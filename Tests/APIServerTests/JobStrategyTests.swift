import Foundation
import Testing
@testable import apiserver

/// batch/v1 Job on the server: the selector and pod labels Kubernetes generates, and its
/// validation (bad input refused with Kubernetes' messages, nothing stored).
@Suite(.serialized) struct JobStrategyTests {
    @Test func generatedSelectorAndLabelsNameTheJobsOwnUID() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        // /work/shared/manifests/controllers/job.yaml
        let pi: JSON = ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "pi"],
                        "spec": ["backoffLimit": 4, "template": ["spec": [
                            "restartPolicy": "Never",
                            "containers": [["name": "pi", "image": "perl", "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(1000)"]]]]]]]
        let job = try await s.client.create(.jobs, namespace: "default", pi)
        let uid = job["metadata"]["uid"].stringValue ?? ""
        #expect(uid.count == 36)
        #expect(job["spec"]["selector"] == ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]])
        #expect(job["spec"]["template"]["metadata"]["labels"] == [
            "batch.kubernetes.io/controller-uid": .string(uid), "batch.kubernetes.io/job-name": "pi",
            "controller-uid": .string(uid), "job-name": "pi"])
        #expect(job["spec"]["manualSelector"].isNull)
        #expect(job["spec"]["completions"] == 1)
        #expect(job["spec"]["parallelism"] == 1)
        #expect(job["spec"]["backoffLimit"] == 4)
        #expect(job["spec"]["completionMode"] == "NonIndexed")
        // The stored object is what came back.
        #expect(try await s.client.get(.jobs, namespace: "default", name: "pi") == job)

        // A generated name is in the labels too.
        var gen = JobHarness.job("")
        gen["metadata"] = ["generateName": "batch-"]
        let g = try await s.client.create(.jobs, namespace: "default", gen)
        let name = g["metadata"]["name"].stringValue ?? ""
        #expect(name.hasPrefix("batch-") && name.count == 11)
        #expect(g["spec"]["template"]["metadata"]["labels"]["job-name"] == .string(name))

        // A user's selector without manualSelector gets the uid added and must match.
        var withSel = JobHarness.job("sel", ["selector": ["matchLabels": ["app": "x"]]])
        withSel[path: ["spec", "template", "metadata", "labels"]] = ["app": "x"]
        let sel = try await s.client.create(.jobs, namespace: "default", withSel)
        #expect(sel["spec"]["selector"] == ["matchLabels": ["app": "x", "batch.kubernetes.io/controller-uid": sel["metadata"]["uid"]]])
    }

    func refusal(_ s: InProcessServer, _ job: JSON) async -> String {
        do {
            _ = try await s.client.create(.jobs, namespace: "default", job)
            return "accepted"
        } catch {
            return "\(error.code) \(error.message)"
        }
    }

    @Test func badJobsAreRefusedAsKubernetesDoes() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        #expect(await refusal(s, JobHarness.job("neg", ["parallelism": -1, "backoffLimit": -2, "ttlSecondsAfterFinished": -3])) ==
            "422 Job.batch \"neg\" is invalid: [spec.parallelism: Invalid value: -1: must be greater than or equal to 0, spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0, spec.ttlSecondsAfterFinished: Invalid value: -3: must be greater than or equal to 0]")
        #expect(await refusal(s, JobHarness.job("idx", ["completionMode": "Indexed", "parallelism": 2])) ==
            "422 Job.batch \"idx\" is invalid: spec.completions: Required value: when completion mode is Indexed")
        #expect(await refusal(s, JobHarness.job("mode", ["completionMode": "Sometimes"])) ==
            "422 Job.batch \"mode\" is invalid: spec.completionMode: Unsupported value: \"Sometimes\": supported values: \"NonIndexed\", \"Indexed\"")
        var always = JobHarness.job("always")
        always[path: ["spec", "template", "spec", "restartPolicy"]] = "Always"
        #expect(await refusal(s, always) ==
            "422 Job.batch \"always\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"")
        var wrongUID = JobHarness.job("wrong")
        wrongUID[path: ["spec", "template", "metadata", "labels"]] = ["controller-uid": "not-mine"]
        #expect(await refusal(s, wrongUID).hasPrefix(
            "422 Job.batch \"wrong\" is invalid: spec.template.metadata.labels[controller-uid]: Invalid value: \"not-mine\": must be '"))
        var manual = JobHarness.job("manual", ["manualSelector": true, "selector": ["matchLabels": ["app": "a"]]])
        manual[path: ["spec", "template", "metadata", "labels"]] = ["app": "b"]
        #expect(await refusal(s, manual) ==
            "422 Job.batch \"manual\" is invalid: spec.template.metadata.labels: Invalid value: \"map[string]string{\"app\":\"b\"}\": `selector` does not match template `labels`")
        #expect(await refusal(s, JobHarness.job("nosel", ["manualSelector": true])) ==
            "422 Job.batch \"nosel\" is invalid: spec.selector: Required value")
        #expect(try await s.client.list(.jobs, namespace: "default").items.isEmpty)

        // A manual selector that matches is kept as given, with no generated labels.
        manual[path: ["spec", "template", "metadata", "labels"]] = ["app": "a"]
        let m = try await s.client.create(.jobs, namespace: "default", manual)
        #expect(m["spec"]["selector"] == ["matchLabels": ["app": "a"]])
        #expect(m["spec"]["template"]["metadata"]["labels"] == ["app": "a"])

        // Template, selector, completions and completionMode are fixed; parallelism is not.
        var changed = m
        changed[path: ["spec", "template", "spec", "containers"]] = [["name": "other", "image": "busybox"]]
        changed[path: ["spec", "completions"]] = 5
        do {
            _ = try await s.client.update(.jobs, changed)
            Issue.record("template change accepted")
        } catch {
            #expect(error.code == 422)
            #expect(error.message.contains("spec.template: Invalid value: "))
            #expect(error.message.contains("spec.completions: Invalid value: 5: field is immutable"))
        }
        var scaled = m
        scaled[path: ["spec", "parallelism"]] = 3
        #expect(try await s.client.update(.jobs, scaled)["spec"]["parallelism"] == 3)
    }
}
