import Foundation
import Testing
import Wire

/// The hub's controller manager and scheduler hold their leader Leases in kube-system.
@Suite(.serialized) struct LeaderLeaseTests {
    static let hostname = ((try? String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)) ?? "")
        .trimmingCharacters(in: .whitespacesAndNewlines)

    /// `<hostname>_<uuid>`, the form kube-controller-manager uses.
    static func isProcessIdentity(_ s: String) -> Bool {
        guard s.hasPrefix(hostname + "_") else { return false }
        let uuid = s.dropFirst(hostname.count + 1)
        return uuid.count == 36 && uuid.allSatisfy { "0123456789abcdef-".contains($0) }
    }

    /// The holders of both Leases once both are held by one process.
    static func holders(_ f: Fixture) async throws -> String {
        let client = Client(config: f.server.clientConfig())
        defer { client.close() }
        var holder = ""
        try await eventually(10, "both leases held by one process") {
            let cm = try await client.get(.leases, namespace: "kube-system", name: "kube-controller-manager")
            let sched = try await client.get(.leases, namespace: "kube-system", name: "kube-scheduler")
            holder = cm["spec"]["holderIdentity"].stringValue ?? ""
            return !holder.isEmpty && sched["spec"]["holderIdentity"].stringValue == holder
        }
        return holder
    }

    @Test func controllerManagerAndSchedulerHoldTheirLeases() async throws {
        let f = try Fixture()
        defer { f.close() }
        let holder = try await Self.holders(f)
        #expect(Self.isProcessIdentity(holder), "\(holder)")
        let rows = try f.ctl.ok(["get", "lease", "-n", "kube-system"]).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        // The hub's own identity Lease (apiserver-<hash>) sorts first.
        #expect(rows.count == 4)
        #expect(rows.first == ["NAME", "HOLDER", "AGE"])
        #expect(rows.count == 4 && rows[1][0].hasPrefix("apiserver-") && rows[1][1].hasPrefix(rows[1][0] + "_"))
        #expect(rows.dropFirst(2).map { Array($0.prefix(2)) } == [["kube-controller-manager", holder], ["kube-scheduler", holder]])
        let lease = try JSON.parse(try f.ctl.ok(["get", "lease", "-n", "kube-system", "kube-scheduler", "-o", "json"]))
        #expect(lease["spec"]["leaseDurationSeconds"] == 15 && lease["spec"]["leaseTransitions"] == 0)
    }

    /// SIGTERM releases the Leases, so the restarted hub leads at once instead of waiting
    /// out the 15 s lease of its predecessor.
    @Test func aCleanRestartTakesTheLeasesOverAtOnce() async throws {
        let f = try Fixture()
        defer { f.close() }
        let first = try await Self.holders(f)
        f.server.stop()
        try f.server.restart()
        let started = Date()
        var second = first
        while second == first && Date().timeIntervalSince(started) < 10 {
            second = try await Self.holders(f)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(second != first && Self.isProcessIdentity(second))
        #expect(Date().timeIntervalSince(started) < 5, "took \(Date().timeIntervalSince(started))s")
        let lease = try JSON.parse(try f.ctl.ok(["get", "lease", "-n", "kube-system", "kube-controller-manager", "-o", "json"]))
        #expect(lease["spec"]["leaseTransitions"] == 1)
    }

    /// After kill -9 the Lease still names the dead process: the restarted hub's scheduler
    /// does nothing until the lease has run out as it observed it (4 s here), then acts.
    @Test func afterACrashTheNewHubWaitsOutTheLeaseBeforeScheduling() async throws {
        let f = try Fixture(extraArgs: ["--leader-elect-lease-duration", "4s", "--leader-elect-renew-deadline", "3s",
                                        "--leader-elect-retry-period", "500ms"])
        defer { f.close() }
        let first = try await Self.holders(f)
        f.server.kill9()
        try f.server.restart()
        let restarted = Date()
        let client = Client(config: f.server.clientConfig())
        defer { client.close() }
        _ = try await client.create(.pods, namespace: "default", ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "waiting"],
                                                                 "spec": ["containers": [["name": "c", "image": "busybox"]]]])
        func scheduled() async throws -> JSON {
            let p = try await client.get(.pods, namespace: "default", name: "waiting")
            return p["status"]["conditions"].arrayValue?.first { $0["type"] == "PodScheduled" } ?? .null
        }
        try await Task.sleep(for: .seconds(2))
        #expect(try await scheduled() == .null, "no scheduler acts before the dead leader's lease runs out")
        #expect(try await client.get(.leases, namespace: "kube-system", name: "kube-scheduler")["spec"]["holderIdentity"].stringValue == first)
        try await eventually(10, "the new scheduler marks the pod unschedulable") {
            try await scheduled()["reason"] == "Unschedulable"
        }
        #expect(Date().timeIntervalSince(restarted) >= 4)
        #expect(try await Self.holders(f) != first)
    }

    @Test func leaderElectionTimingsThatCannotWorkStopTheStart() throws {
        for (args, message) in [
            (["--leader-elect-lease-duration", "10s"], "--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline"),
            (["--leader-elect-retry-period", "9s"], "--leader-elect-renew-deadline must be greater than 1.2 times --leader-elect-retry-period"),
            (["--leader-elect-retry-period", "0s"],
             "--leader-elect-retry-period must be a duration such as 40s, 5m or 1h, above 0 up to 2562047h47m16s, got \"0s\""),
            (["--terminated-pod-gc-threshold=-1"], "--terminated-pod-gc-threshold must be 0 or more, got -1"),
        ] {
            let dir = TempDir()
            defer { dir.remove() }
            #expect {
                _ = try APIServerProcess(dataDir: dir.path + "/data", extraArgs: args)
            } throws: {
                "\($0)".contains(message)
            }
        }
    }
}
