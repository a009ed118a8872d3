import Foundation
import Testing
@testable import apiserver

/// Pods bound to a node are deleted gracefully (Kubernetes' pod strategy and BeforeDelete):
/// marked with `deletionTimestamp` and `deletionGracePeriodSeconds`, kept until a delete with
/// grace 0 (the kubelet's) removes them.
@Suite(.serialized) struct GracefulDeletionTests {
    func withServer(_ body: (InProcessServer) async throws -> Void) async throws {
        let s = try await InProcessServer.start()
        do { try await body(s) } catch { Issue.record(error) }
        await s.stop()
    }

    func code(_ body: () async throws -> Void) async -> Int? {
        do { try await body(); return nil } catch { return (error as? Status)?.code }
    }

    /// Seconds between the pod's deletionTimestamp and now.
    func secondsLeft(_ pod: JSON) -> Double {
        (Timestamp.parse(pod["metadata"]["deletionTimestamp"].stringValue ?? "") ?? 0) - Timestamp.nowSeconds()
    }

    @Test func aBoundRunningPodIsMarkedAndOnlyShortenedThenRemovedByGraceZero() async throws {
        try await withServer { s in
            _ = try await s.client.create(.pods, namespace: "default", podObject("p", node: "n1"))
            _ = try await s.client.patch(.pods, namespace: "default", name: "p", ["status": ["phase": "Running"]], status: true)
            let answer = try await s.client.delete(.pods, namespace: "default", name: "p")
            // The answer is the pod as now stored, as Kubernetes answers a graceful delete.
            #expect(answer["kind"] == "Pod")
            #expect(answer["metadata"]["deletionGracePeriodSeconds"] == 30)
            var pod = try await s.client.get(.pods, namespace: "default", name: "p")
            #expect(pod["metadata"]["deletionGracePeriodSeconds"] == 30)
            #expect((28...31).contains(secondsLeft(pod)))
            let began = Timestamp.parse(pod["metadata"]["deletionTimestamp"].stringValue ?? "")! - 30

            // Status writes during the grace period keep it.
            _ = try await s.client.patch(.pods, namespace: "default", name: "p", ["status": ["phase": "Running", "message": "stopping"]], status: true)
            #expect(try await s.client.get(.pods, namespace: "default", name: "p")["metadata"]["deletionGracePeriodSeconds"] == 30)

            // A longer grace does not change it; a shorter one counts from when deletion began.
            _ = try await s.client.delete(.pods, namespace: "default", name: "p", gracePeriodSeconds: 60)
            _ = try await s.client.delete(.pods, namespace: "default", name: "p")
            pod = try await s.client.get(.pods, namespace: "default", name: "p")
            #expect(pod["metadata"]["deletionGracePeriodSeconds"] == 30)
            _ = try await s.client.delete(.pods, namespace: "default", name: "p", gracePeriodSeconds: 10)
            pod = try await s.client.get(.pods, namespace: "default", name: "p")
            #expect(pod["metadata"]["deletionGracePeriodSeconds"] == 10)
            #expect(Timestamp.parse(pod["metadata"]["deletionTimestamp"].stringValue ?? "") == began + 10)

            _ = try await s.client.delete(.pods, namespace: "default", name: "p", gracePeriodSeconds: 0)
            #expect(try await s.client.getIfPresent(.pods, namespace: "default", name: "p") == nil)
        }
    }

    @Test func theRequestsGraceOrTheSpecsIsUsed() async throws {
        try await withServer { s in
            _ = try await s.client.create(.pods, namespace: "default", podObject("short", node: "n1") {
                $0[path: ["spec", "terminationGracePeriodSeconds"]] = 5
            })
            _ = try await s.client.create(.pods, namespace: "default", podObject("asked", node: "n1"))
            _ = try await s.client.delete(.pods, namespace: "default", name: "short")
            _ = try await s.client.delete(.pods, namespace: "default", name: "asked", gracePeriodSeconds: 7)
            #expect(try await s.client.get(.pods, namespace: "default", name: "short")["metadata"]["deletionGracePeriodSeconds"] == 5)
            #expect(try await s.client.get(.pods, namespace: "default", name: "asked")["metadata"]["deletionGracePeriodSeconds"] == 7)
        }
    }

    /// A grace period of Int64.max seconds (asked, or the spec's) is kept; the deadline is
    /// written as the last time RFC 3339 holds instead of trapping the hub.
    @Test func aHugeGracePeriodIsKeptAndTheDeadlineSaturates() async throws {
        try await withServer { s in
            _ = try await s.client.create(.pods, namespace: "default", podObject("spec", node: "n1") {
                $0[path: ["spec", "terminationGracePeriodSeconds"]] = .int(Int.max)
            })
            _ = try await s.client.create(.pods, namespace: "default", podObject("asked", node: "n1"))
            _ = try await s.client.delete(.pods, namespace: "default", name: "spec")
            _ = try await s.client.delete(.pods, namespace: "default", name: "asked", gracePeriodSeconds: Int.max)
            for name in ["spec", "asked"] {
                let meta = try await s.client.get(.pods, namespace: "default", name: name)["metadata"]
                #expect(meta["deletionGracePeriodSeconds"] == 9_223_372_036_854_775_807)
                #expect(meta["deletionTimestamp"] == "9999-12-31T23:59:59Z")
            }
            // The hub still answers.
            #expect(try await s.client.list(.pods, namespace: "default").items.count == 2)
        }
    }

    /// A list limit far beyond what is stored reserves nothing absurd.
    @Test func aHugeListLimitIsServed() async throws {
        try await withServer { s in
            _ = try await s.client.create(.configMaps, namespace: "default", cm("a"))
            var req = Request(verb: .list, resource: "configmaps", namespace: "default")
            req.limit = 10_000_000_000_000_000
            #expect(try await s.client.request(req).object["items"].arrayValue?.count == 1)
        }
    }

    @Test func unboundOrFinishedPodsAreRemovedAtOnce() async throws {
        try await withServer { s in
            _ = try await s.client.create(.pods, namespace: "default", podObject("pending", node: nil))
            _ = try await s.client.create(.pods, namespace: "default", podObject("done", node: "n1"))
            _ = try await s.client.create(.pods, namespace: "default", podObject("failed", node: "n1"))
            _ = try await s.client.patch(.pods, namespace: "default", name: "done", ["status": ["phase": "Succeeded"]], status: true)
            _ = try await s.client.patch(.pods, namespace: "default", name: "failed", ["status": ["phase": "Failed"]], status: true)
            for name in ["pending", "done", "failed"] {
                let answer = try await s.client.delete(.pods, namespace: "default", name: name)
                #expect(answer["metadata"]["name"] == .string(name))
                #expect(try await s.client.getIfPresent(.pods, namespace: "default", name: name) == nil)
            }
            // Other kinds keep deleting at once.
            _ = try await s.client.create(.configMaps, namespace: "default", cm("c"))
            _ = try await s.client.delete(.configMaps, namespace: "default", name: "c", gracePeriodSeconds: 30)
            #expect(try await s.client.getIfPresent(.configMaps, namespace: "default", name: "c") == nil)
        }
    }

    @Test func aNodeFinalizesItsOwnPodsOnly() async throws {
        try await withServer { s in
            let n1 = Client(config: ClientConfig(server: s.address, token: s.tokens.node, nodeName: "n1", clientName: "fake-kubelet"))
            defer { n1.close() }
            _ = try await s.client.create(.pods, namespace: "default", podObject("mine", node: "n1"))
            _ = try await s.client.create(.pods, namespace: "default", podObject("theirs", node: "n2"))
            _ = try await s.client.delete(.pods, namespace: "default", name: "mine")
            _ = try await s.client.delete(.pods, namespace: "default", name: "theirs")
            let mine = try await s.client.get(.pods, namespace: "default", name: "mine")
            #expect(await code { _ = try await n1.delete(.pods, namespace: "default", name: "theirs", gracePeriodSeconds: 0) } == 403)
            #expect(await code { _ = try await n1.delete(.pods, namespace: "default", name: "mine", uid: "other-uid", gracePeriodSeconds: 0) } == 409)
            _ = try await n1.delete(.pods, namespace: "default", name: "mine", uid: mine["metadata"]["uid"].stringValue, gracePeriodSeconds: 0)
            #expect(try await s.client.getIfPresent(.pods, namespace: "default", name: "mine") == nil)
            #expect(try await s.client.getIfPresent(.pods, namespace: "default", name: "theirs") != nil)
        }
    }

    @Test func aPodHeldByAFinalizerStaysAfterGraceZero() async throws {
        try await withServer { s in
            _ = try await s.client.create(.pods, namespace: "default", podObject("held", node: "n1") {
                $0[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            })
            _ = try await s.client.delete(.pods, namespace: "default", name: "held", gracePeriodSeconds: 0)
            let pod = try await s.client.get(.pods, namespace: "default", name: "held")
            #expect(pod["metadata"]["deletionGracePeriodSeconds"] == 0)
            _ = try await s.client.patch(.pods, namespace: "default", name: "held", ["metadata": ["finalizers": .null]])
            #expect(try await s.client.getIfPresent(.pods, namespace: "default", name: "held") == nil)
        }
    }

    @Test func podsGetKubernetesDefaultsAtCreate() async throws {
        try await withServer { s in
            let pod = try await s.client.create(.pods, namespace: "default", podObject("d", node: nil))
            #expect(pod["spec"]["tolerations"] == [
                ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
                ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
            ])
            #expect(pod["spec"]["serviceAccountName"] == "default")
            #expect(pod["spec"]["serviceAccount"] == "default")
            #expect(pod["spec"]["terminationGracePeriodSeconds"] == 30)
            #expect(pod["spec"]["restartPolicy"] == "Always")
            #expect(pod["spec"]["dnsPolicy"] == "ClusterFirst")
            #expect(pod["spec"]["schedulerName"] == "default-scheduler")
            #expect(pod["spec"]["enableServiceLinks"] == true)
            #expect(pod["spec"]["containers"].arrayValue?.first?["imagePullPolicy"] == "Always")
            #expect(pod["spec"]["containers"].arrayValue?.first?["terminationMessagePath"] == "/dev/termination-log")
            #expect(pod["spec"]["containers"].arrayValue?.first?["terminationMessagePolicy"] == "File")
            #expect(pod["status"] == ["phase": "Pending", "qosClass": "BestEffort"])

            // A pod that tolerates a key (or everything) for NoExecute keeps its own toleration.
            let own = try await s.client.create(.pods, namespace: "default", podObject("own", node: nil) {
                $0[path: ["spec", "tolerations"]] = [["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5]]
                $0[path: ["spec", "serviceAccountName"]] = "builder"
            })
            #expect(own["spec"]["tolerations"] == [
                ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5],
                ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
            ])
            #expect(own["spec"]["serviceAccountName"] == "builder")
            let probed = try await s.client.create(.pods, namespace: "default", podObject("probed", node: nil) {
                $0[path: ["spec", "containers"]] = [["name": "c", "image": "busybox:1.36", "readinessProbe": ["httpGet": ["path": "/", "port": 80]],
                                                     "livenessProbe": ["exec": ["command": ["true"]], "periodSeconds": 5]]]
            })
            let c = probed["spec"]["containers"].arrayValue?.first ?? .null
            #expect(c["imagePullPolicy"] == "IfNotPresent")
            #expect(c["readinessProbe"] == ["httpGet": ["path": "/", "port": 80, "scheme": "HTTP"], "timeoutSeconds": 1, "periodSeconds": 10,
                                            "successThreshold": 1, "failureThreshold": 3])
            #expect(c["livenessProbe"] == ["exec": ["command": ["true"]], "periodSeconds": 5, "timeoutSeconds": 1, "successThreshold": 1,
                                           "failureThreshold": 3])
            let all = try await s.client.create(.pods, namespace: "default", podObject("all", node: nil) {
                $0[path: ["spec", "tolerations"]] = [["operator": "Exists"]]
            })
            #expect(all["spec"]["tolerations"] == [["operator": "Exists"]])
        }
    }

    @Test func aNamespaceWaitsForItsRunningPodsToBeFinalized() async throws {
        let s = try await InProcessServer.start { $0.controllers = true }
        do {
            _ = try await s.client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "work"]])
            _ = try await s.client.create(.pods, namespace: "work", podObject("runs", node: "n1"))
            _ = try await s.client.create(.pods, namespace: "work", podObject("waits", node: nil))
            _ = try await s.client.delete(.namespaces, name: "work")
            try await eventuallyTrue(5) {
                try await !s.client.get(.pods, namespace: "work", name: "runs")["metadata"]["deletionTimestamp"].isNull
            }
            try await eventuallyTrue(5) { try await s.client.getIfPresent(.pods, namespace: "work", name: "waits") == nil }
            try await Task.sleep(for: .milliseconds(1500))
            let ns = try await s.client.get(.namespaces, name: "work")
            #expect(ns["status"]["phase"] == "Terminating")
            #expect(try await s.client.get(.pods, namespace: "work", name: "runs")["metadata"]["deletionGracePeriodSeconds"] == 30)
            // The kubelet's finalizing delete: then the namespace goes.
            _ = try await s.client.delete(.pods, namespace: "work", name: "runs", gracePeriodSeconds: 0)
            try await eventuallyTrue(10) { try await s.client.getIfPresent(.namespaces, name: "work") == nil }
        } catch { Issue.record(error) }
        await s.stop()
    }
}
