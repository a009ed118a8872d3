import ControllerRuntime
import Foundation
import Synchronization
import Testing
@testable import apiserver

/// Pod GC (Kubernetes' podgc) against an in-process apiserver, on a fake clock.
@Suite(.serialized) struct PodGCTests {
    func setPhase(_ s: InProcessServer, _ name: String, _ phase: String, reason: String? = nil) async throws {
        var p = try await s.client.get(.pods, namespace: "default", name: name)
        p[path: ["status", "phase"]] = .string(phase)
        if let reason { p[path: ["status", "reason"]] = .string(reason) }
        _ = try await s.client.update(.pods, p, status: true)
    }

    func podNames(_ s: InProcessServer) async throws -> [String] {
        try await s.client.list(.pods, namespace: "default").items.compactMap { $0["metadata"]["name"].stringValue }.sorted()
    }

    static func waitForSleeper(_ clock: FakeClock) async throws {
        try await eventuallyTrue(10) { clock.sleeperCount == 1 }
    }

    /// Threshold 2 with four terminated pods: the evicted one goes first, then the oldest
    /// (created a second before the others, though its name sorts last); Running pods stay.
    @Test func terminatedPodsOverTheThresholdGoEvictedFirstThenOldest() async throws {
        let s = try await InProcessServer.start()
        let clock = FakeClock(now: 1_800_000_000)
        let factory = SharedInformerFactory(client: s.client, clock: clock)
        var run: Task<Void, Never>?
        defer { run?.cancel(); factory.shutDown() }
        _ = try await s.client.create(.pods, namespace: "default", podObject("z-first", node: nil))
        try await setPhase(s, "z-first", "Succeeded")
        let firstSecond = Int(Timestamp.nowSeconds())
        while Int(Timestamp.nowSeconds()) == firstSecond { try await Task.sleep(for: .milliseconds(10)) }
        for name in ["a-second", "b-second", "y-evicted", "running"] {
            _ = try await s.client.create(.pods, namespace: "default", podObject(name, node: nil))
        }
        try await setPhase(s, "a-second", "Failed")
        try await setPhase(s, "b-second", "Succeeded")
        try await setPhase(s, "y-evicted", "Failed", reason: "Evicted")
        try await setPhase(s, "running", "Running")
        let gc = PodGCController(client: s.client, logger: .init(label: "test"), terminatedPodThreshold: 2)
        run = Task { await gc.run(factory: factory) }
        factory.start()
        try await eventuallyTrue(10) { try await podNames(s) == ["a-second", "b-second", "running"] }
        // The next pass (20 s later) finds nothing more over the threshold.
        try await Self.waitForSleeper(clock)
        clock.advance(by: 20)
        try await Self.waitForSleeper(clock)
        #expect(try await podNames(s) == ["a-second", "b-second", "running"])
        await s.stop()
    }

    /// Pods bound to a node that was deleted go 40 s after pod GC first noticed (the node
    /// confirmed gone by a live read): marked Failed with DisruptionTarget, then deleted with
    /// grace 0, the one already terminating too. Pods of a live node stay.
    @Test func orphanedPodsOfADeletedNodeGoAfterTheQuarantine() async throws {
        let s = try await InProcessServer.start()
        let clock = FakeClock(now: 1_800_000_000)
        let factory = SharedInformerFactory(client: s.client, clock: clock)
        var run: Task<Void, Never>?
        defer { run?.cancel(); factory.shutDown() }
        for n in ["gone", "live"] { _ = try await s.client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(n)]]) }
        _ = try await s.client.create(.pods, namespace: "default", podObject("orphan", node: "gone"))
        _ = try await s.client.create(.pods, namespace: "default", podObject("stuck", node: "gone"))
        _ = try await s.client.create(.pods, namespace: "default", podObject("kept", node: "live"))
        try await setPhase(s, "orphan", "Running")
        try await s.client.delete(.pods, namespace: "default", name: "stuck")
        #expect(try await s.client.get(.pods, namespace: "default", name: "stuck")["metadata"]["deletionGracePeriodSeconds"] == 30)
        try await s.client.delete(.nodes, name: "gone")

        let deleted = Mutex<[String: JSON]>([:])
        factory.informer(.pods).addHandler { e in
            if case .deleted(let p, _) = e { deleted.withLock { $0[p["metadata"]["name"].stringValue ?? ""] = p } }
        }
        let gc = PodGCController(client: s.client, logger: .init(label: "test"), terminatedPodThreshold: 12_500)
        run = Task { await gc.run(factory: factory) }
        factory.start()
        // Passes at 0 s and 20 s: quarantined, nothing deleted.
        try await Self.waitForSleeper(clock)
        clock.advance(by: 20)
        try await Self.waitForSleeper(clock)
        #expect(try await podNames(s) == ["kept", "orphan", "stuck"])
        clock.advance(by: 20)
        try await eventuallyTrue(10) { try await podNames(s) == ["kept"] }
        try await eventuallyTrue(5) { deleted.withLock { $0.count } == 2 }
        for name in ["orphan", "stuck"] {
            let last = deleted.withLock { $0[name] } ?? .null
            #expect(last["status"]["phase"] == "Failed", "\(name)")
            var condition = last["status"]["conditions"].arrayValue?.first { $0["type"] == "DisruptionTarget" } ?? .null
            #expect(condition["lastTransitionTime"].stringValue != nil)
            condition["lastTransitionTime"] = .null
            #expect(condition == ["type": "DisruptionTarget", "status": "True", "reason": "DeletionByPodGC", "message": "PodGC: node no longer exists"])
        }
        await s.stop()
    }

    @Test func quarantineCountsFromWhenANodeWasFirstMissing() {
        var q = OrphanQuarantine()
        #expect(q.due(missing: ["a"], now: 0, quarantine: 40) == [])
        #expect(q.due(missing: ["a", "b"], now: 20, quarantine: 40) == [])
        #expect(q.due(missing: ["a", "b"], now: 40, quarantine: 40) == ["a"])
        // b came back (in the cache) before its turn: forgotten.
        #expect(q.due(missing: ["a"], now: 60, quarantine: 40) == [])
        #expect(q.since == ["a": 60])
    }

    @Test func thresholdZeroDeletesNoTerminatedPods() {
        let pods: [JSON] = (0..<3).map { i in ["metadata": ["name": .string("p\(i)")], "status": ["phase": "Succeeded"]] }
        #expect(PodGCPlan.terminatedToDelete(pods, threshold: 0).isEmpty)
        #expect(PodGCPlan.terminatedToDelete(pods, threshold: 1).map { $0["metadata"]["name"] } == ["p0", "p1"])
    }
}
