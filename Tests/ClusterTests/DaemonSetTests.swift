import Foundation
import Testing
import Wire

/// The daemonset controller on simulated nodes: a real apiserver (controllers, scheduler)
/// and real `kubelet simulate` processes.
@Suite(.serialized)
struct DaemonSetTests {
    typealias Simulator = SimulatedPodTests.Simulator

    static func daemonSet(_ name: String, annotations: JSON = .null) -> JSON {
        var template: JSON = ["metadata": ["labels": ["app": .string(name)]],
                              "spec": ["containers": [["name": "c", "image": "nginx", "resources": ["requests": ["cpu": "10m"]]]]]]
        if !annotations.isNull { template[path: ["metadata", "annotations"]] = annotations }
        return ["apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": .string(name), "namespace": "default"],
                "spec": ["selector": ["matchLabels": ["app": .string(name)]], "template": template]]
    }

    /// The DaemonSet's live pods (not being deleted) by node.
    static func podsByNode(_ admin: Client, _ ds: String) async throws -> [String: [JSON]] {
        var out: [String: [JSON]] = [:]
        for p in try await admin.list(.pods, namespace: "default", labelSelector: "app=\(ds)").items where p["metadata"]["deletionTimestamp"].isNull {
            out[p["spec"]["nodeName"].stringValue ?? "", default: []].append(p)
        }
        return out
    }

    static func isReady(_ p: JSON) -> Bool {
        (p["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }

    @Test func coversEligibleNodesAndLateNodesAndRollsWithMaxUnavailable() async throws {
        let f = try Fixture()
        defer { f.close() }
        let sim = try Simulator(f, nodes: 3)
        defer { sim.stop() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await SimulatedPodTests.waitForNodes(admin, 3)
        // sim-1 cordoned (still gets a pod), sim-2 tainted (gets none).
        _ = try f.ctl.ok(["cordon", "sim-1"])
        _ = try await admin.patch(.nodes, name: "sim-2", ["spec": ["taints": [["key": "dedicated", "value": "db", "effect": "NoSchedule"]]]])
        _ = try await admin.create(.daemonSets, namespace: "default", Self.daemonSet("agent"))

        try await eventually(20, "Ready agent pods on sim-0 and sim-1") {
            let byNode = try await Self.podsByNode(admin, "agent")
            return Set(byNode.keys) == ["sim-0", "sim-1"] && byNode.values.allSatisfy { $0.count == 1 && Self.isReady($0[0]) }
        }
        let expected: JSON = ["currentNumberScheduled": 2, "desiredNumberScheduled": 2, "numberAvailable": 2, "numberMisscheduled": 0,
                              "numberReady": 2, "observedGeneration": 1, "updatedNumberScheduled": 2]
        try await eventually(10, "agent's status") {
            try await admin.get(.daemonSets, namespace: "default", name: "agent")["status"] == expected
        }
        let pod = try await Self.podsByNode(admin, "agent")["sim-1"]![0]
        let pinned: JSON = ["nodeSelectorTerms": [["matchFields": [["key": "metadata.name", "operator": "In", "values": ["sim-1"]]]]]]
        #expect(pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] == pinned)
        #expect(pod["metadata"]["labels"]["pod-template-generation"] == "1")
        // The daemon tolerations, and no 300 s defaults added at create (they are tolerated already).
        #expect(pod["spec"]["tolerations"] == [
            ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"],
            ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"],
            ["key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"],
        ])
        #expect(pod["metadata"]["ownerReferences"].arrayValue?.first?["kind"] == "DaemonSet")
        #expect(CtlGetOutputTests.maskAges(try f.ctl.ok(["get", "ds"])) == """
            NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE
            agent   2         2         2       2            2           <none>          0s

            """)
        #expect(CtlGetOutputTests.maskAges(try f.ctl.ok(["get", "daemonsets", "-o", "wide"])) == """
            NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE   CONTAINERS   IMAGES   SELECTOR
            agent   2         2         2       2            2           <none>          0s    c            nginx    app=agent

            """)

        // A node that joins later gets one.
        let late = try Simulator(f, nodes: 1, extra: ["--prefix", "late"])
        defer { late.stop() }
        try await eventually(20, "a Ready agent pod on late-0") {
            try await Self.podsByNode(admin, "agent")["late-0"]?.first.map(Self.isReady) == true
        }
        try await eventually(10, "desired 3") {
            try await admin.get(.daemonSets, namespace: "default", name: "agent")["status"]["numberAvailable"] == 3
        }

        // A template update rolls the pods one node at a time (maxUnavailable 1, the default).
        let oldHash = pod["metadata"]["labels"]["controller-revision-hash"]
        let eligible = ["sim-0", "sim-1", "late-0"]
        let worst = Locked(0)
        let watcher = Task {
            while !Task.isCancelled {
                if let byNode = try? await Self.podsByNode(admin, "agent") {
                    let down = eligible.filter { !(byNode[$0] ?? []).contains(where: Self.isReady) }.count
                    worst.withLock { $0 = max($0, down) }
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        _ = try await admin.patch(.daemonSets, namespace: "default", name: "agent",
                                  ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "nginx:2", "resources": ["requests": ["cpu": "10m"]]]]]]]])
        try await eventually(30, "every pod replaced") {
            let byNode = try await Self.podsByNode(admin, "agent")
            return Set(byNode.keys) == Set(eligible) && byNode.values.allSatisfy { pods in
                let labels = pods[0]["metadata"]["labels"]
                return pods.count == 1 && Self.isReady(pods[0]) && pods[0]["spec"]["containers"].arrayValue?.first?["image"] == "nginx:2"
                    && labels["controller-revision-hash"] != oldHash && labels["pod-template-generation"] == "2"
            }
        }
        watcher.cancel()
        _ = await watcher.value
        #expect(worst.withLock { $0 } == 1)
        let rolled: JSON = ["currentNumberScheduled": 3, "desiredNumberScheduled": 3, "numberAvailable": 3, "numberMisscheduled": 0,
                            "numberReady": 3, "observedGeneration": 2, "updatedNumberScheduled": 3]
        try await eventually(10, "agent's status after the update") {
            try await admin.get(.daemonSets, namespace: "default", name: "agent")["status"] == rolled
        }
        let reasons = try await admin.list(.events, namespace: "default").items
            .filter { $0["involvedObject"]["name"] == "agent" && $0["source"]["component"] == "daemonset-controller" }
            .map { "\($0["reason"].stringValue ?? "") x\($0["count"].intValue ?? 0)" }.sorted()
        #expect(reasons.filter { $0.hasPrefix("SuccessfulCreate") }.count == 6, "\(reasons)")
        #expect(reasons.filter { $0.hasPrefix("SuccessfulDelete") }.count == 3, "\(reasons)")

        // The taint gone, sim-2 gets one too; a node label the template now requires
        // takes the pods off the other nodes.
        _ = try await admin.patch(.nodes, name: "sim-2", ["spec": ["taints": .null]])
        try await eventually(20, "a pod on sim-2") { try await Self.podsByNode(admin, "agent")["sim-2"]?.count == 1 }
        _ = try await admin.patch(.nodes, name: "sim-2", ["metadata": ["labels": ["role": "agent"]]])
        _ = try await admin.patch(.daemonSets, namespace: "default", name: "agent",
                                  ["spec": ["template": ["spec": ["nodeSelector": ["role": "agent"]]]]])
        try await eventually(20, "agent pods only on sim-2") {
            let byNode = try await Self.podsByNode(admin, "agent")
            return Array(byNode.keys) == ["sim-2"] && byNode["sim-2"]?.first?["spec"]["nodeSelector"] == ["role": "agent"]
        }
        try await eventually(10, "NODE SELECTOR") {
            CtlGetOutputTests.maskAges(try f.ctl.ok(["get", "ds", "agent"])) == """
                NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE
                agent   1         1         1       1            1           role=agent      0s

                """
        }
    }

    /// A daemon pod that fails is deleted (a FailedDaemonPod warning) and replaced.
    @Test func failedDaemonPodIsReplaced() async throws {
        let f = try Fixture()
        defer { f.close() }
        let sim = try Simulator(f, nodes: 1)
        defer { sim.stop() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await SimulatedPodTests.waitForNodes(admin, 1)
        _ = try await admin.create(.daemonSets, namespace: "default",
                                   Self.daemonSet("flaky", annotations: ["skiff.io/simulate-phase": "Failed", "skiff.io/simulate-after": "1s"]))
        var first = ""
        try await eventually(15, "a Failed flaky pod") {
            let pods = try await admin.list(.pods, namespace: "default").items
            first = pods.first { $0["status"]["phase"] == "Failed" }?["metadata"]["name"].stringValue ?? ""
            return !first.isEmpty
        }
        try await eventually(15, "the FailedDaemonPod warning and a replacement") {
            let events = try await admin.list(.events, namespace: "default").items.filter { $0["reason"] == "FailedDaemonPod" }
            let names = try await admin.list(.pods, namespace: "default").items.compactMap { $0["metadata"]["name"].stringValue }
            let message = "Found failed daemon pod default/\(first) on node sim-0, will try to kill it"
            return events.contains { $0["message"].stringValue == message && $0["type"] == "Warning" } && names.contains { $0 != first }
        }
    }

    /// OnDelete: a template change leaves the pods alone; a pod deleted by hand comes back
    /// with the new template.
    @Test func onDeleteReplacesOnlyDeletedPods() async throws {
        let f = try Fixture()
        defer { f.close() }
        let sim = try Simulator(f, nodes: 2)
        defer { sim.stop() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await SimulatedPodTests.waitForNodes(admin, 2)
        var ds = Self.daemonSet("manual")
        ds[path: ["spec", "updateStrategy"]] = ["type": "OnDelete"]
        _ = try await admin.create(.daemonSets, namespace: "default", ds)
        try await eventually(20, "two Ready pods") {
            let byNode = try await Self.podsByNode(admin, "manual")
            return byNode.count == 2 && byNode.values.allSatisfy { $0.count == 1 && Self.isReady($0[0]) }
        }
        _ = try await admin.patch(.daemonSets, namespace: "default", name: "manual", ["spec": ["template": ["metadata": ["labels": ["v": "2"]]]]])
        try await eventually(10, "observedGeneration 2") {
            try await admin.get(.daemonSets, namespace: "default", name: "manual")["status"]["observedGeneration"] == 2
        }
        try await Task.sleep(for: .milliseconds(500))
        let before = try await Self.podsByNode(admin, "manual")
        #expect(before.values.map { $0[0]["metadata"]["labels"]["pod-template-generation"] } == ["1", "1"])
        let status = try await admin.get(.daemonSets, namespace: "default", name: "manual")["status"]
        #expect(status == ["currentNumberScheduled": 2, "desiredNumberScheduled": 2, "numberAvailable": 2, "numberMisscheduled": 0,
                           "numberReady": 2, "observedGeneration": 2])
        let old = before["sim-0"]![0]
        try await admin.delete(.pods, namespace: "default", name: old["metadata"]["name"].stringValue ?? "")
        try await eventually(20, "a new pod on sim-0") {
            let p = try await Self.podsByNode(admin, "manual")["sim-0"]?.first
            return p?["metadata"]["labels"]["v"] == "2" && p.map(Self.isReady) == true
        }
        #expect(try await Self.podsByNode(admin, "manual")["sim-1"]?.first?["metadata"]["labels"]["pod-template-generation"] == "1")
        try await eventually(10, "one updated") {
            try await admin.get(.daemonSets, namespace: "default", name: "manual")["status"]["updatedNumberScheduled"] == 1
        }
    }

    /// A Node deleted with its daemon pod bound there: the pod is left (to pod GC) and the
    /// DaemonSet stops counting the node.
    @Test func podOfDeletedNodeIsLeftToPodGC() async throws {
        let f = try Fixture()
        defer { f.close() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        _ = try await admin.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "ghost"]])
        _ = try await admin.patch(.nodes, name: "ghost", ["status": [
            "allocatable": ["cpu": "1", "memory": "1Gi", "pods": "10"],
            "conditions": [["type": "Ready", "status": "True", "lastHeartbeatTime": .string(Timestamp.now()), "lastTransitionTime": .string(Timestamp.now())]],
        ]], status: true)
        _ = try await admin.create(.daemonSets, namespace: "default", Self.daemonSet("agent"))
        try await eventually(15, "the pod bound to ghost") { try await Self.podsByNode(admin, "agent")["ghost"]?.count == 1 }
        try await eventually(10, "desired 1") {
            try await admin.get(.daemonSets, namespace: "default", name: "agent")["status"]["desiredNumberScheduled"] == 1
        }
        try await admin.delete(.nodes, name: "ghost")
        try await eventually(10, "desired 0") {
            try await admin.get(.daemonSets, namespace: "default", name: "agent")["status"]
                == ["currentNumberScheduled": 0, "desiredNumberScheduled": 0, "numberMisscheduled": 0, "numberReady": 0, "observedGeneration": 1]
        }
        try await Task.sleep(for: .seconds(1))
        #expect(try await Self.podsByNode(admin, "agent")["ghost"]?.count == 1)
    }

    /// maxSurge 1, maxUnavailable 0: each node's new pod starts next to the old one, which
    /// goes once the new one is available; no node is ever without a Ready pod.
    @Test func surgeUpdateKeepsEveryNodeServed() async throws {
        let f = try Fixture()
        defer { f.close() }
        let sim = try Simulator(f, nodes: 3)
        defer { sim.stop() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await SimulatedPodTests.waitForNodes(admin, 3)
        var ds = Self.daemonSet("surge")
        ds[path: ["spec", "updateStrategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": 1]]
        _ = try await admin.create(.daemonSets, namespace: "default", ds)
        let nodes = ["sim-0", "sim-1", "sim-2"]
        try await eventually(20, "three Ready pods") {
            let byNode = try await Self.podsByNode(admin, "surge")
            return Set(byNode.keys) == Set(nodes) && byNode.values.allSatisfy { $0.count == 1 && Self.isReady($0[0]) }
        }
        // Every pod change, in order, from a watch (polling can miss a short surge window):
        // per node, the pods not being deleted and which of them are Ready.
        let worst = Locked(0), most = Locked(0)
        let start = try await admin.list(.pods, namespace: "default", labelSelector: "app=surge")
        var req = Request(verb: .watch, resource: "pods", namespace: "default")
        req.labelSelector = "app=surge"
        req.resourceVersion = start.resourceVersion
        let events = try await admin.watch(req)
        let watcher = Task {
            var live: [String: JSON] = [:]
            for p in start.items { live[p["metadata"]["uid"].stringValue ?? ""] = p }
            do {
                for try await e in events {
                    let uid = e.object["metadata"]["uid"].stringValue ?? ""
                    if e.type == "DELETED" || !e.object["metadata"]["deletionTimestamp"].isNull { live[uid] = nil } else if e.type != "BOOKMARK" { live[uid] = e.object }
                    var byNode: [String: [JSON]] = [:]
                    for p in live.values { byNode[p["spec"]["nodeName"].stringValue ?? "", default: []].append(p) }
                    let down = nodes.filter { !(byNode[$0] ?? []).contains(where: Self.isReady) }.count
                    worst.withLock { $0 = max($0, down) }
                    most.withLock { $0 = max($0, byNode.filter { !$0.key.isEmpty }.map(\.value.count).max() ?? 0) }
                }
            } catch {}
        }
        _ = try await admin.patch(.daemonSets, namespace: "default", name: "surge", ["spec": ["template": ["metadata": ["labels": ["v": "2"]]]]])
        try await eventually(30, "every pod replaced") {
            let byNode = try await Self.podsByNode(admin, "surge")
            return Set(byNode.keys) == Set(nodes) && byNode.values.allSatisfy {
                $0.count == 1 && Self.isReady($0[0]) && $0[0]["metadata"]["labels"]["v"] == "2"
            }
        }
        watcher.cancel()
        _ = await watcher.value
        #expect(worst.value == 0)
        #expect(most.value == 2)
        try await eventually(10, "status") {
            try await admin.get(.daemonSets, namespace: "default", name: "surge")["status"]
                == ["currentNumberScheduled": 3, "desiredNumberScheduled": 3, "numberAvailable": 3, "numberMisscheduled": 0,
                    "numberReady": 3, "observedGeneration": 2, "updatedNumberScheduled": 3]
        }
    }

    /// A real kubelet runs the daemon pod of its cordoned node (the pod's automatic
    /// tolerations pass the kubelet's admission as the scheduler's filters).
    @Test func realKubeletRunsTheDaemonPodOfItsCordonedNode() async throws {
        try await PodCluster.run { c in
            _ = try c.ctl.ok(["cordon", "node1"])
            var ds = Self.daemonSet("real")
            ds[path: ["spec", "template", "spec", "containers"]] = [["name": "app", "image": "busybox", "command": ["sleep", "300"]]]
            _ = try await c.client.create(.daemonSets, namespace: "default", ds)
            try await eventually(20, "the daemon pod Running on node1") {
                let pods = try await Self.podsByNode(c.client, "real")["node1"] ?? []
                return pods.count == 1 && pods[0]["status"]["phase"] == "Running" && Self.isReady(pods[0])
            }
            try await eventually(10, "status") {
                let st = try await c.client.get(.daemonSets, namespace: "default", name: "real")["status"]
                return st["numberReady"] == 1 && st["numberAvailable"] == 1 && st["desiredNumberScheduled"] == 1
            }
            // The DaemonSet goes first, so the clean-up's pod deletions are not replaced.
            try await c.client.delete(.daemonSets, namespace: "default", name: "real")
        }
    }
}
