import Foundation
import Testing
import Wire

/// The controller manager and the scheduler as processes of their own (`apiserver
/// controllers`, `apiserver scheduler`) against a hub started with `--no-controllers`.
@Suite(.serialized) struct ControlPlaneFailoverTests {
    static func holder(_ client: Client, _ lease: String) async throws -> String {
        try await client.get(.leases, namespace: "kube-system", name: lease)["spec"]["holderIdentity"].stringValue ?? ""
    }

    static func pod(_ name: String) -> JSON {
        ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": "default"],
         "spec": ["containers": [["name": "c", "image": "nginx", "resources": ["requests": ["cpu": "100m"]]]]]]
    }

    static func nodeName(_ client: Client, _ pod: String) async throws -> String {
        try await client.get(.pods, namespace: "default", name: pod)["spec"]["nodeName"].stringValue ?? ""
    }

    /// `Scheduled` events per pod: (pod, count) for every such event.
    static func scheduledEvents(_ client: Client) async throws -> [String] {
        try await client.list(.events, namespace: "default").items.filter { $0["reason"] == "Scheduled" }
            .map { "\($0["involvedObject"]["name"].stringValue ?? "")×\($0["count"].intValue ?? 0)" }.sorted()
    }

    @Test func twoOfEachOneLeadsAndAfterKill9TheOtherSchedulerTakesOverWithin30s() async throws {
        let f = try Fixture(extraArgs: ["--no-controllers"])
        var procs: [ControlPlaneProcess] = []
        var sim: SimulatedPodTests.Simulator?
        defer {
            sim?.stop()
            for p in procs { p.stop() }
            f.close()
        }
        let managers = [try ControlPlaneProcess("controllers", server: f.server, name: "cm0", tokenFile: true),
                        try ControlPlaneProcess("controllers", server: f.server, name: "cm1")]
        procs += managers
        let schedulers = [try ControlPlaneProcess("scheduler", server: f.server, name: "s0", tokenFile: true),
                          try ControlPlaneProcess("scheduler", server: f.server, name: "s1")]
        procs += schedulers
        sim = try SimulatedPodTests.Simulator(f, nodes: 2, extra: ["--duration", "300s"])
        let client = Client(config: f.server.clientConfig())
        defer { client.close() }
        let cmIDs = [try await managers[0].identity(), try await managers[1].identity()]
        let schedIDs = [try await schedulers[0].identity(), try await schedulers[1].identity()]

        var cmHolder = "", schedHolder = ""
        try await eventually(20, "both leases held") {
            cmHolder = try await Self.holder(client, "kube-controller-manager")
            schedHolder = try await Self.holder(client, "kube-scheduler")
            return !cmHolder.isEmpty && !schedHolder.isEmpty
        }
        #expect(cmIDs.contains(cmHolder) && schedIDs.contains(schedHolder), "the hub itself holds neither")
        #expect(managers.filter { $0.log.contains("became leader") }.count == 1)
        #expect(schedulers.filter { $0.log.contains("became leader") }.count == 1)

        try await SimulatedPodTests.waitForNodes(client, 2)
        for name in ["p1", "p2", "p3"] { _ = try await client.create(.pods, namespace: "default", Self.pod(name)) }
        try await eventually(20, "three pods bound") {
            var all = true
            for name in ["p1", "p2", "p3"] where try await Self.nodeName(client, name).isEmpty { all = false }
            return all
        }
        // The controller manager acts too: a namespace deletion completes.
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "doomed"]])
        try await client.delete(.namespaces, name: "doomed")
        try await eventually(20, "the namespace to go") { try await client.getIfPresent(.namespaces, name: "doomed") == nil }
        var before: [String: String] = [:]
        for name in ["p1", "p2", "p3"] { before[name] = try await Self.nodeName(client, name) }
        try await eventually(10, "the leader's Scheduled events recorded") {
            try await Self.scheduledEvents(client) == ["p1×1", "p2×1", "p3×1"]
        }

        let leader = schedIDs[0] == schedHolder ? 0 : 1
        let standby = 1 - leader
        schedulers[leader].kill9()
        let killed = Date()
        _ = try await client.create(.pods, namespace: "default", Self.pod("after"))
        try await eventually(30, "the standby scheduler to hold the lease") {
            try await Self.holder(client, "kube-scheduler") == schedIDs[standby]
        }
        try await eventually(max(1, 30 - Date().timeIntervalSince(killed)), "the new pod bound by the new leader") {
            try await !Self.nodeName(client, "after").isEmpty
        }
        #expect(Date().timeIntervalSince(killed) < 30)
        #expect(schedulers[standby].log.contains("became leader"))
        // Nothing bound twice: the dead leader's pods kept their nodes, one Scheduled each.
        for name in ["p1", "p2", "p3"] { #expect(try await Self.nodeName(client, name) == before[name]) }
        try await eventually(10, "the new leader's Scheduled event") {
            try await Self.scheduledEvents(client).contains("after×1")
        }
        #expect(try await Self.scheduledEvents(client) == ["after×1", "p1×1", "p2×1", "p3×1"])
        #expect(try await Self.holder(client, "kube-controller-manager") == cmHolder)
    }

    /// Both processes reconnect after the hub is killed and restarted, then act again;
    /// SIGTERM releases their Leases and they exit 0.
    @Test func theProcessesFollowAHubRestartAndReleaseTheirLeasesOnSigterm() async throws {
        let f = try Fixture(extraArgs: ["--no-controllers"])
        let timings = ["--leader-elect-lease-duration", "4s", "--leader-elect-renew-deadline", "3s", "--leader-elect-retry-period", "500ms"]
        let manager = try ControlPlaneProcess("controllers", server: f.server, name: "cm", extra: timings)
        let scheduler = try ControlPlaneProcess("scheduler", server: f.server, name: "s", extra: timings)
        defer {
            manager.stop()
            scheduler.stop()
            f.close()
        }
        let cmID = try await manager.identity(), schedID = try await scheduler.identity()
        do {
            let client = Client(config: f.server.clientConfig())
            defer { client.close() }
            try await eventually(10, "both leases held") {
                let cm = try await Self.holder(client, "kube-controller-manager")
                let sched = try await Self.holder(client, "kube-scheduler")
                return cm == cmID && sched == schedID
            }
        }
        f.server.kill9()
        try f.server.restart()
        let client = Client(config: f.server.clientConfig())
        defer { client.close() }
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "doomed"]])
        try await client.delete(.namespaces, name: "doomed")
        _ = try await client.create(.pods, namespace: "default", Self.pod("waiting"))
        try await eventually(30, "the namespace to go") { try await client.getIfPresent(.namespaces, name: "doomed") == nil }
        try await eventually(30, "the scheduler to find no node for the pod") {
            let p = try await client.get(.pods, namespace: "default", name: "waiting")
            return p["status"]["conditions"].arrayValue?.first { $0["type"] == "PodScheduled" }?["reason"] == "Unschedulable"
        }
        #expect(try await Self.holder(client, "kube-controller-manager") == cmID)
        #expect(try await Self.holder(client, "kube-scheduler") == schedID)

        #expect(scheduler.stop() == 0)
        #expect(manager.stop() == 0)
        #expect(try await Self.holder(client, "kube-scheduler") == "")
        #expect(try await Self.holder(client, "kube-controller-manager") == "")
        #expect(scheduler.log.contains("msg=\"released the lease\" lease=kube-system/kube-scheduler"))
        #expect(manager.log.contains("msg=stopped"))
    }

    @Test func badFlagsStopTheStart() throws {
        for (args, message) in [
            (["controllers"], "--token is required (the apiserver's admin.token, or @FILE)"),
            (["scheduler", "--token", "@/nonexistent/admin.token"], "cannot read the token file /nonexistent/admin.token"),
            (["scheduler", "--token", "t", "--server", "nohost"], "--server must be HOST:PORT, got \"nohost\""),
            (["controllers", "--token", "t", "--leader-elect-lease-duration", "10s"],
             "--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline"),
            (["controllers", "--token", "t", "--terminated-pod-gc-threshold=-1"], "--terminated-pod-gc-threshold must be 0 or more, got -1"),
        ] {
            let (code, stderr) = try runAPIServerCommand(args)
            #expect(code != 0 && stderr.contains(message), "\(args): \(stderr)")
        }
    }

    /// The hub's identity Lease keeps its name across a restart (the hostname's hash) and
    /// is listed with the others in kube-system.
    @Test func theHubsIdentityLeaseKeepsItsNameAcrossARestart() async throws {
        let f = try Fixture(extraArgs: ["--no-controllers"])
        defer { f.close() }
        let hostname = LeaderLeaseTests.hostname
        func identity() async throws -> JSON {
            let client = Client(config: f.server.clientConfig())
            defer { client.close() }
            var found: [JSON] = []
            try await eventually(10, "the identity lease") {
                found = try await client.list(.leases, namespace: "kube-system", labelSelector: "apiserver.kubernetes.io/identity=kube-apiserver").items
                return found.count == 1
            }
            return found[0]
        }
        let first = try await identity()
        let name = first["metadata"]["name"].stringValue ?? ""
        #expect(name.hasPrefix("apiserver-") && name.count == 36 && name.dropFirst(10).allSatisfy { "abcdefghijklmnopqrstuvwxyz234567".contains($0) })
        #expect(first["metadata"]["labels"]["kubernetes.io/hostname"].stringValue == hostname)
        #expect(first["spec"]["leaseDurationSeconds"] == 3600)
        let rows = try f.ctl.ok(["get", "leases", "-n", "kube-system"]).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.map(\.first) == ["NAME", name])
        #expect(rows.last?[1] == first["spec"]["holderIdentity"].stringValue)

        f.server.stop()
        try f.server.restart()
        try await eventually(10, "a new holder") {
            try await identity()["spec"]["holderIdentity"] != first["spec"]["holderIdentity"]
        }
        let second = try await identity()
        #expect(second["metadata"]["name"].stringValue == name && second["metadata"]["uid"] == first["metadata"]["uid"])
    }
}
