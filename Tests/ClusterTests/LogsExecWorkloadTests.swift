import Foundation
import Testing
import Wire

/// `ctl logs|exec TYPE/NAME` and `ctl describe job|cronjob|daemonset` on a real kubelet
/// (`PodCluster`): the hub's controllers make the pods, the kubelet runs their commands.
@Suite(.serialized) struct LogsExecWorkloadTests {
    static func template(_ app: String, script: String, restartPolicy: String = "Always") -> JSON {
        ["metadata": ["labels": ["app": .string(app)]],
         "spec": ["restartPolicy": .string(restartPolicy), "terminationGracePeriodSeconds": 1,
                  "containers": [["name": "main", "image": "busybox", "command": ["/bin/sh", "-c", .string(script)]]]]]
    }

    static func livePods(_ c: PodCluster, app: String) async throws -> [JSON] {
        try await c.client.list(.pods, namespace: "default", labelSelector: "app=\(app)").items.filter { $0["metadata"]["deletionTimestamp"].isNull }
    }

    static func name(_ o: JSON) -> String { o["metadata"]["name"].stringValue ?? "" }

    /// Deletes the workloads (their pods with them) and waits for the pods to go.
    static func cleanUp(_ c: PodCluster, _ objects: [(ResourceType, String)]) async throws {
        for (type, name) in objects { _ = try? await c.client.delete(type, namespace: "default", name: name, propagationPolicy: "Background") }
        try await eventually(30, "pods gone") { try await c.client.list(.pods, namespace: "default").items.isEmpty }
    }

    @Test func logsAndExecPickOneOfTheWorkloadsPods() async throws {
        try await PodCluster.run { c in
            // One replica first, Ready; the second comes later, so the first has been ready
            // longer: kubectl's orders pick it for logs (ByLogging) and for exec (reverse ActivePods).
            _ = try await c.client.create(.deployments, namespace: "default", [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "x"],
                "spec": ["replicas": 1, "selector": ["matchLabels": ["app": "x"]],
                         "template": Self.template("x", script: "echo hello from $(hostname); exec sleep 1000")],
            ])
            var first = ""
            try await eventually(30, "x's first pod Ready") {
                let pods = try await Self.livePods(c, app: "x")
                guard pods.count == 1, DaemonSetTests.isReady(pods[0]) else { return false }
                first = Self.name(pods[0])
                return true
            }
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try c.ctl.ok(["scale", "deploy/x", "--replicas=2"]) == "deployment.apps/x scaled\n")
            try await eventually(30, "x's two pods Ready") {
                let pods = try await Self.livePods(c, app: "x")
                return pods.count == 2 && pods.allSatisfy(DaemonSetTests.isReady)
            }

            let logs = try c.ctl.run(["logs", "deploy/x"])
            #expect(logs.stdout == "hello from \(first)\n" && logs.stderr == "Found 2 pods, using pod/\(first)\n" && logs.code == 0, "\(logs)")
            for ref in ["deployment/x", "deployments/x", "deployment.apps/x"] {
                #expect(try c.ctl.run(["logs", ref]).stdout == "hello from \(first)\n", "\(ref)")
            }
            let rs = try await c.client.list(.replicaSets, namespace: "default").items.map(Self.name)
            #expect(rs.count == 1)
            let viaRS = try c.ctl.run(["logs", "rs/\(rs.first ?? "")"])
            #expect(viaRS.stdout == "hello from \(first)\n" && viaRS.stderr == "Found 2 pods, using pod/\(first)\n")

            // exec prints no "Found" line, as kubectl.
            let hi = try c.ctl.run(["exec", "deploy/x", "--", "echo", "hi"])
            #expect(hi.stdout == "hi\n" && hi.stderr == "" && hi.code == 0, "\(hi)")
            #expect(try c.ctl.run(["exec", "deployment.apps/x", "--", "hostname"]).stdout == "\(first)\n")

            // A Job's pod, finished: its log all the same; one pod, so no "Found" line.
            _ = try await c.client.create(.jobs, namespace: "default", [
                "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "once"],
                "spec": ["template": Self.template("once", script: "echo job says hi", restartPolicy: "Never")],
            ])
            try await eventually(30, "once Complete") {
                let job = try await c.client.get(.jobs, namespace: "default", name: "once")
                return (job["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Complete" && $0["status"] == "True" }
            }
            let jobLogs = try c.ctl.run(["logs", "job/once"])
            #expect(jobLogs.stdout == "job says hi\n" && jobLogs.stderr == "" && jobLogs.code == 0, "\(jobLogs)")

            // kubectl's errors.
            let missing = try c.ctl.run(["logs", "deploy/nope"])
            #expect(missing.stderr == "Error from server (NotFound): deployments.apps \"nope\" not found\n" && missing.code == 1)
            #expect(try c.ctl.run(["exec", "deployment/nope", "--", "true"]).stderr == "Error from server (NotFound): deployments.apps \"nope\" not found\n")
            #expect(try c.ctl.run(["logs", "job/nope"]).stderr == "Error from server (NotFound): jobs.batch \"nope\" not found\n")
            #expect(try c.ctl.run(["logs", "foo/x"]).stderr == "error: the server doesn't have a resource type \"foo\"\n")
            #expect(try c.ctl.run(["exec", "foo/x", "--", "true"]).stderr == "error: the server doesn't have a resource type \"foo\"\n")
            _ = try c.ctl.ok(["create", "configmap", "settings"])
            #expect(try c.ctl.run(["logs", "cm/settings"]).stderr
                    == "error: cannot get the logs from *v1.ConfigMap: selector for *v1.ConfigMap not implemented\n")
            #expect(try c.ctl.run(["exec", "configmap/settings", "--", "true"]).stderr
                    == "error: cannot attach to *v1.ConfigMap: selector for *v1.ConfigMap not implemented\n")
            #expect(try c.ctl.run(["logs", "deploy/"]).stderr == "error: arguments in resource/name form must have a single resource and name\n")
            #expect(try c.ctl.run(["logs", "deploy/x", "--pod-running-timeout=0s"]).stderr == "error: --pod-running-timeout must be higher than zero\n")

            // No pod matches: kubectl waits --pod-running-timeout for one, then gives up.
            _ = try await c.client.create(.replicaSets, namespace: "default", [
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "empty"],
                "spec": ["replicas": 0, "selector": ["matchLabels": ["app": "empty"]], "template": Self.template("empty", script: "true")],
            ])
            let started = Date()
            let none = try c.ctl.run(["logs", "rs/empty", "--pod-running-timeout=1s"])
            #expect(none.stdout == "" && none.stderr == "error: timed out waiting for the condition\n" && none.code == 1)
            #expect(Date().timeIntervalSince(started) >= 1)
            #expect(try c.ctl.run(["exec", "rs/empty", "--pod-running-timeout=1s", "--", "true"]).stderr == "error: timed out waiting for the condition\n")

            try await Self.cleanUp(c, [(.deployments, "x"), (.jobs, "once"), (.replicaSets, "empty")])
        }
    }
}
