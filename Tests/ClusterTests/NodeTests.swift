import Foundation
import Testing
import Wire

func readyStatus(_ node: JSON) -> String {
    (node["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == "Ready" }?["status"].stringValue ?? "none"
}

func taintKeys(_ node: JSON) -> [String] {
    (node["spec"]["taints"].arrayValue ?? []).compactMap { $0["key"].stringValue }
}

/// Several hosts (network namespaces), real processes: registration, heartbeats, a killed
/// kubelet, a cut link, an apiserver restart.
@Suite(.serialized, .enabled(if: NetnsCluster.available, "needs root and iproute2"))
struct MultiHostTests {
    static let grace = 4.0
    static let renew = 0.5

    @Test func threeHostsLifecycle() async throws {
        let c = try NetnsCluster(hosts: 4, apiserverArgs: ["--node-monitor-grace-period", "4s", "--node-monitor-period", "250ms"],
                                 kubeletArgs: ["--node-lease-duration", "2s"])
        defer { c.close() }
        try c.startAPIServer()
        for h in 1...3 { try c.startKubelet(h) }
        let client = c.client()
        defer { client.close() }
        func node(_ h: Int) async throws -> JSON { try await client.get(.nodes, name: "host\(h)") }

        try await eventually(20, "three Ready nodes and their Leases") {
            let nodes = try await client.list(.nodes).items
            let leases = try await client.list(.leases, namespace: "kube-node-lease").items
            return nodes.count == 3 && nodes.allSatisfy { readyStatus($0) == "True" } && leases.count == 3
        }
        let n1 = try await node(1)
        #expect(n1["status"]["addresses"].arrayValue?.first?["address"].stringValue == c.address(1))
        #expect(n1["metadata"]["labels"]["kubernetes.io/hostname"] == "host1")
        let lease = try await client.get(.leases, namespace: "kube-node-lease", name: "host1")
        #expect(lease["spec"]["holderIdentity"] == "host1" && lease["metadata"]["ownerReferences"].arrayValue?.first?["uid"] == n1["metadata"]["uid"])

        // kill -9 a kubelet: Unknown within the grace period plus one renew interval (plus
        // the controller's check period and some slack for a loaded machine).
        c.killKubelet(1)
        let killed = Date()
        try await eventually(Self.grace + Self.renew + 4, "host1 Unknown") { readyStatus(try await node(1)) == "Unknown" }
        let took = Date().timeIntervalSince(killed)
        #expect(took >= Self.grace - 1 && took <= Self.grace + Self.renew + 2, "Unknown after \(took)s")
        try await eventually(3, "the unreachable taint") { taintKeys(try await node(1)).contains("node.kubernetes.io/unreachable") }
        try await eventually(5, "a NodeNotReady event from node-controller") {
            try await client.list(.events, namespace: "default", fieldSelector: "involvedObject.name=host1,reason=NodeNotReady").items
                .contains { $0["source"]["component"] == "node-controller" }
        }
        #expect(readyStatus(try await node(2)) == "True")
        try c.startKubelet(1)
        try await eventually(10, "host1 Ready again") {
            let n = try await node(1)
            return readyStatus(n) == "True" && taintKeys(n).isEmpty
        }
        #expect(try await client.list(.nodes).items.count == 3, "re-registration must not duplicate")

        // Cut a host's link: same story; heal it and the kubelet corrects the status itself.
        try c.cut(2)
        try await eventually(Self.grace + Self.renew + 4, "host2 Unknown") { readyStatus(try await node(2)) == "Unknown" }
        try c.heal(2)
        try await eventually(15, "host2 Ready after healing") {
            let n = try await node(2)
            return readyStatus(n) == "True" && taintKeys(n).isEmpty
        }
        // The kubelet records the correction against the server's view (Unknown → True is
        // NodeReady again): its registration's NodeReady event now counts two.
        try await eventually(10, "a second NodeReady from host2's kubelet") {
            let evs = try await client.list(.events, namespace: "default", fieldSelector: "involvedObject.name=host2,reason=NodeReady").items
            return evs.contains { ($0["count"].intValue ?? 0) >= 2 }
        }

        // Restarting the apiserver flips no healthy node.
        c.stopAPIServer()
        try c.startAPIServer()
        let restartedClient = c.client()
        defer { restartedClient.close() }
        let watchUntil = Date().addingTimeInterval(Self.grace + 2)
        while Date() < watchUntil {
            if let nodes = try? await restartedClient.list(.nodes).items {
                #expect(nodes.allSatisfy { readyStatus($0) == "True" }, "a node flipped after the restart")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}

/// Node lifecycle on loopback (no namespaces needed): NotReady taints, node deletion takes
/// the lease with it, node authorization.
@Suite(.serialized) struct NodeLifecycleTests {
    @Test func nodeAuthorizationAndLeaseCleanup() async throws {
        let f = try Fixture(extraArgs: ["--node-monitor-grace-period", "3s", "--node-monitor-period", "250ms"])
        defer { f.close() }
        let kubelet = Process()
        kubelet.executableURL = URL(fileURLWithPath: Binaries.path("kubelet"))
        kubelet.arguments = ["--server", f.server.address.description, "--token", f.server.nodeToken, "--node-name", "solo",
                             "--root-dir", f.dir.path + "/kl", "--node-lease-duration", "2s", "--node-labels", "zone=a,tier=edge"]
        kubelet.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try kubelet.run()
        defer { kubelet.terminate(); kubelet.waitUntilExit() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        // The Node is Ready from registration; its Lease follows with the first renewal.
        try await eventually(15, "node solo Ready with its Lease") {
            let ready = readyStatus(try await admin.get(.nodes, name: "solo")) == "True"
            let lease = try await admin.getIfPresent(.leases, namespace: "kube-node-lease", name: "solo")
            return ready && lease != nil
        }
        let n = try await admin.get(.nodes, name: "solo")
        #expect(n["metadata"]["labels"]["zone"] == "a" && n["metadata"]["labels"]["kubernetes.io/os"] == "linux")
        // Heartbeats renew the Lease; the Node itself is not rewritten on every renewal.
        let leaseBefore = try await admin.get(.leases, namespace: "kube-node-lease", name: "solo")
        try await Task.sleep(for: .seconds(2))
        let leaseAfter = try await admin.get(.leases, namespace: "kube-node-lease", name: "solo")
        #expect(leaseAfter["spec"]["renewTime"] != leaseBefore["spec"]["renewTime"])
        #expect(try await admin.get(.nodes, name: "solo")["metadata"]["resourceVersion"] == n["metadata"]["resourceVersion"])
        // cordon / uncordon through ctl.
        #expect(try f.ctl.ok(["cordon", "solo"]) == "node/solo cordoned\n")
        #expect(try f.ctl.ok(["get", "nodes", "solo", "--no-headers"]).contains("Ready,SchedulingDisabled"))
        #expect(try f.ctl.ok(["uncordon", "node/solo"]) == "node/solo uncordoned\n")
        let described = try f.ctl.ok(["describe", "node", "solo"])
        // kubectl's layout: Roles, the Lease after Unschedulable, RFC 1123 times.
        #expect(described.contains("Roles:              <none>\n"))
        #expect(described.contains("Unschedulable:      false\nLease:\n  HolderIdentity:  solo\n  AcquireTime:     "))
        #expect(described.range(of: #"RenewTime:       [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000\nConditions:\n"#,
                                options: .regularExpression) != nil)
        #expect(described.range(of: #"\n  Ready +True  +[A-Z][a-z]{2}, "#, options: .regularExpression) != nil)
        // Events from the kubelet (by node name) and node-controller (by uid), both shown.
        try await eventually(10, "the node's events in describe") {
            let d = try f.ctl.ok(["describe", "node", "solo"])
            return d.contains("Starting kubelet.") && d.contains("Node solo status is now: NodeReady")
                && (d.contains("NodeHasSufficientMemory") || d.contains("NodeHasInsufficientMemory"))
                && d.contains("Registered Node solo in Controller")
        }
        // The hub reaches the kubelet back over the connection the kubelet dialed.
        #expect(try f.ctl.ok(["get", "--raw", "/api/v1/nodes/solo/proxy/healthz"]) == "ok")
        let summary = try JSON.parse(try f.ctl.ok(["get", "--raw", "/api/v1/nodes/solo/proxy/stats/summary"]))
        #expect(summary["node"]["nodeName"] == "solo" && (summary["node"]["memory"]["availableBytes"].intValue ?? 0) > 0)
        #expect((summary["node"]["fs"]["capacityBytes"].intValue ?? 0) > 0 && summary["node"]["cpu"]["usageCoreNanoSeconds"].intValue != nil)
        let configz = try JSON.parse(try f.ctl.ok(["get", "--raw", "/api/v1/nodes/solo/proxy/configz"]))
        #expect(configz["kubeletconfig"]["nodeLeaseDurationSeconds"] == 2)
        let unknownPath = try f.ctl.run(["get", "--raw", "/api/v1/nodes/solo/proxy/nothing"])
        #expect(unknownPath.code == 1 && unknownPath.stderr == "Error from server (NotFound): the server could not find the requested resource\n")
        #expect(n["status"]["capacity"]["pods"] == "110" && n["status"]["nodeInfo"]["kubeletVersion"] == "v0.1.0")

        // A node may write its own Node and Lease and Events, nothing else.
        let asNode = try await f.server.connect(token: f.server.nodeToken, nodeName: "intruder")
        var other = Request(verb: .patch, resource: "nodes", name: "solo")
        other.patch = ["metadata": ["labels": ["owned": "yes"]]]
        await #expect { try await asNode.request(other) } throws: { ($0 as? Status)?.code == 403 }
        var cm = Request(verb: .create, resource: "configmaps", namespace: "default")
        cm.object = ["metadata": ["name": "x"]]
        await #expect { try await asNode.request(cm) } throws: { ($0 as? Status)?.code == 403 }
        var own = Request(verb: .create, resource: "nodes")
        own.object = ["metadata": ["name": "intruder"]]
        _ = try await asNode.request(own)
        // It lists only its own pods, as Kubernetes' node authorizer allows.
        await #expect { try await asNode.request(Request(verb: .list, resource: "pods")) } throws: { ($0 as? Status)?.code == 403 }
        var ownPods = Request(verb: .list, resource: "pods")
        ownPods.fieldSelector = "spec.nodeName=intruder"
        #expect(try await asNode.request(ownPods).object["items"].arrayValue != nil)

        // Deleting a Node deletes its Lease.
        #expect(try await admin.getIfPresent(.leases, namespace: "kube-node-lease", name: "solo") != nil)
        kubelet.terminate()
        kubelet.waitUntilExit()
        // A kubelet that stops with no pods leaves no cgroup root behind (root only).
        if getuid() == 0 {
            #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/skiff/solo"))
            #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cpu/skiff/solo"))
        }
        try await eventually(5, "proxy to a node whose kubelet is gone: 503") {
            try f.ctl.run(["get", "--raw", "/api/v1/nodes/solo/proxy/healthz"]).stderr.hasPrefix("Error from server (ServiceUnavailable)")
        }
        try await admin.delete(.nodes, name: "solo")
        try await eventually(10, "the lease to go") { try await admin.getIfPresent(.leases, namespace: "kube-node-lease", name: "solo") == nil }

        // NotReady from the kubelet's own report: the not-ready taint.
        _ = try await admin.update(.nodes, ["metadata": ["name": "intruder"], "status": ["conditions": [["type": "Ready", "status": "False"]]]], status: true)
        try await eventually(10, "the not-ready taint") { taintKeys(try await admin.get(.nodes, name: "intruder")).contains("node.kubernetes.io/not-ready") }
    }

    @Test func simulatedNodesRegisterAndStayReady() async throws {
        let f = try Fixture(extraArgs: ["--node-monitor-grace-period", "5s", "--node-monitor-period", "500ms"])
        defer { f.close() }
        let sim = Process()
        sim.executableURL = URL(fileURLWithPath: Binaries.path("kubelet"))
        sim.arguments = ["simulate", "--nodes", "1000", "--server", f.server.address.description, "--token", f.server.nodeToken,
                         "--node-lease-duration", "4s", "--ramp-up", "2s", "--duration", "120s", "--report-interval", "2s"]
        let out = Pipe()
        sim.standardOutput = out
        sim.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try sim.run()
        defer { sim.terminate(); sim.waitUntilExit() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await eventually(90, "1000 Ready nodes and their Leases") {
            let nodes = try await admin.list(.nodes).items
            let leases = try await admin.list(.leases, namespace: "kube-node-lease").items
            return nodes.count == 1000 && nodes.allSatisfy { readyStatus($0) == "True" } && leases.count == 1000
        }
        // Heartbeats keep them Ready past the grace period.
        try await Task.sleep(for: .seconds(6))
        let nodes = try await admin.list(.nodes).items
        #expect(nodes.filter { readyStatus($0) == "True" }.count == 1000)

        // A simulated node whose server copy says Unknown corrects it at a next renewal
        // (every 1 s here), as a kubelet does: only it writes Ready=True.
        var n = try await admin.get(.nodes, name: "sim-7")
        n[path: ["status", "conditions"]] = [["type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown"]]
        _ = try await admin.update(.nodes, n, status: true)
        try await eventually(10, "sim-7 Ready again") { readyStatus(try await admin.get(.nodes, name: "sim-7")) == "True" }
    }
}
