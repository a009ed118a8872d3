import Foundation
import Testing
import Wire

/// Jobs on a real kubelet, run by the hub's job controller: pods from `command` run on the
/// host, finish, are counted and released.
@Suite(.serialized) struct JobClusterTests {
    static func job(_ name: String, _ spec: JSON, script: String) -> JSON {
        var s = spec
        s["template"] = ["spec": ["restartPolicy": "Never",
                                  "containers": [["name": "work", "image": "busybox", "command": ["/bin/sh", "-c", .string(script)]]]]]
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)], "spec": s]
    }

    static func jobPods(_ c: PodCluster, _ job: String) async throws -> [JSON] {
        try await c.client.list(.pods, namespace: "default").items
            .filter { $0["metadata"]["labels"]["batch.kubernetes.io/job-name"].stringValue == job }
    }

    static func isComplete(_ job: JSON) -> Bool {
        (job["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Complete" && $0["status"] == "True" }
    }

    @Test func jobsRunToCompletionAndIndexedPodsSeeTheirIndex() async throws {
        try await PodCluster.run { c in
            _ = try await c.client.create(.jobs, namespace: "default", Self.job("three", ["completions": 3, "parallelism": 2], script: "exit 0"))
            _ = try await c.client.create(.jobs, namespace: "default", Self.job("idx", ["completions": 3, "parallelism": 3, "completionMode": "Indexed"],
                                                                                 script: "echo index=$JOB_COMPLETION_INDEX host=$(hostname)"))
            // job.yaml: perl runs on the host (its image is not pulled, its command is run).
            let applied = try c.ctl.run(["apply", "-f", manifestsDir + "/controllers/job.yaml"])
            #expect(applied.stdout == "job.batch/pi created\n" && applied.stderr.isEmpty, "\(applied.stderr)")

            for name in ["three", "idx", "pi"] {
                try await eventually(60, "\(name) Complete") { Self.isComplete(try await c.client.get(.jobs, namespace: "default", name: name)) }
            }
            let three = try await c.client.get(.jobs, namespace: "default", name: "three")
            #expect(three["status"]["succeeded"] == 3)
            #expect(three["status"]["failed"].isNull)
            let idx = try await c.client.get(.jobs, namespace: "default", name: "idx")
            #expect(idx["status"]["completedIndexes"] == "0-2")
            #expect(idx["status"]["succeeded"] == 3)

            let threePods = try await Self.jobPods(c, "three")
            #expect(threePods.count == 3)
            #expect(threePods.allSatisfy { $0["status"]["phase"] == "Succeeded" && $0["metadata"]["finalizers"].isNull })
            var logs: [String] = []
            for p in try await Self.jobPods(c, "idx") {
                let name = p["metadata"]["name"].stringValue ?? ""
                let i = p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"].stringValue ?? "?"
                #expect(p["spec"]["hostname"] == .string("idx-\(i)"))
                // The pod's UTS hostname is its spec.hostname, as Kubernetes' kubelet sets it.
                logs.append(try c.ctl.ok(["logs", name]))
            }
            #expect(logs.sorted() == ["index=0 host=idx-0\n", "index=1 host=idx-1\n", "index=2 host=idx-2\n"])
            let pi = try await Self.jobPods(c, "pi")
            #expect(pi.count == 1)
            let digits = try c.ctl.ok(["logs", pi.first?["metadata"]["name"].stringValue ?? ""])
            #expect(digits.hasPrefix("3.14159265358979323846264338327950288419716939937510"))

            // kubectl's columns (DURATION and AGE vary: checked for shape).
            let table = try c.ctl.ok(["get", "jobs"]).split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(table.first == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"])
            #expect(table.dropFirst().map { Array($0.prefix(3)) } == [["idx", "Complete", "3/3"], ["pi", "Complete", "1/1"], ["three", "Complete", "3/3"]])
            #expect(table.dropFirst().allSatisfy { $0.count == 5 })

            for name in ["three", "idx", "pi"] {
                _ = try await c.client.delete(.jobs, namespace: "default", name: name, propagationPolicy: "Background")
            }
        }
    }

    /// A container exiting 42 on a real kubelet: its exit code reaches the job controller,
    /// a FailJob rule matches it and the Job fails with Kubernetes' message, without a retry.
    @Test func exitCodeMatchedByAFailJobRuleFailsTheJob() async throws {
        try await PodCluster.run { c in
            let policy: JSON = ["rules": [["action": "FailJob", "onExitCodes": ["containerName": "work", "operator": "In", "values": [42]]]]]
            _ = try await c.client.create(.jobs, namespace: "default", Self.job("answer", ["backoffLimit": 3, "podFailurePolicy": policy], script: "exit 42"))
            try await eventually(60, "answer Failed") {
                (try await c.client.get(.jobs, namespace: "default", name: "answer")["status"]["conditions"].arrayValue ?? [])
                    .contains { $0["type"] == "Failed" && $0["status"] == "True" }
            }
            let pods = try await Self.jobPods(c, "answer")
            #expect(pods.count == 1)
            let name = pods.first?["metadata"]["name"].stringValue ?? ""
            let job = try await c.client.get(.jobs, namespace: "default", name: "answer")
            let failed = (job["status"]["conditions"].arrayValue ?? []).first { $0["type"] == "Failed" }
            #expect(failed?["reason"] == "PodFailurePolicy")
            #expect(failed?["message"] == .string("Container work for pod default/\(name) failed with exit code 42 matching FailJob rule at index 0"))
            #expect(job["status"]["failed"] == 1)
            #expect(job["spec"]["podReplacementPolicy"] == "Failed")
            _ = try await c.client.delete(.jobs, namespace: "default", name: "answer", propagationPolicy: "Background")
        }
    }
}

/// `ctl create job NAME --image=IMAGE -- COMMAND...` as kubectl's.
@Suite(.serialized) struct CtlCreateJobTests {
    @Test func createJobByName() throws {
        let f = try Fixture()
        defer { f.close() }
        let made = try f.ctl.run(["create", "job", "hello", "--image=busybox", "--", "/bin/sh", "-c", "echo hi"])
        #expect(made.stdout == "job.batch/hello created\n" && made.stderr.isEmpty, "\(made.stderr)")
        let job = try JSON.parse(try f.ctl.ok(["get", "job", "hello", "-o", "json"]))
        let c = job["spec"]["template"]["spec"]["containers"].arrayValue?.first ?? .null
        #expect(c["name"] == "hello")
        #expect(c["image"] == "busybox")
        #expect(c["command"] == ["/bin/sh", "-c", "echo hi"])
        #expect(c["resources"] == [:])
        #expect(job["spec"]["template"]["spec"]["restartPolicy"] == "Never")
        #expect(job["spec"]["template"]["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "hello")
        let noImage = try f.ctl.run(["create", "job", "bare"])
        #expect(noImage.code == 1 && noImage.stderr == "error: either --image or --from must be specified\n")
        let twoNames = try f.ctl.run(["create", "job", "a", "b", "--image=x"])
        #expect(twoNames.code == 1 && twoNames.stderr.hasPrefix("error: exactly one NAME is required, got 2\n"))
    }
}
