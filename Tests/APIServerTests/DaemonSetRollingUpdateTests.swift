import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// The daemonset controller's rolling update against an in-process apiserver without
/// scheduler or kubelet: the test sets pod readiness itself.
@Suite(.serialized) struct DaemonSetRollingUpdateTests {
    typealias Setup = DaemonSetHistoryTests.Setup

    /// The live (not being deleted) agent pods by the node their affinity pins them to.
    static func livePods(_ s: Setup) async throws -> [String: [JSON]] {
        var out: [String: [JSON]] = [:]
        for p in try await s.client.list(.pods, namespace: "default").items where p["metadata"]["deletionTimestamp"].isNull {
            out[DaemonPlacement.targetNode(of: p) ?? "", default: []].append(p)
        }
        return out
    }

    /// An old pod that is not available is replaced at once and counts against
    /// maxUnavailable (1): the other node's available old pod is kept meanwhile.
    @Test func anUnavailableOldPodCountsAgainstMaxUnavailable() async throws {
        let s = try await Setup()
        do {
            _ = try await s.client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n2"]])
            _ = try await s.client.patch(.nodes, name: "n2", ["status": ["conditions": [["type": "Ready", "status": "True"]]]], status: true)
            _ = try await s.client.create(.daemonSets, namespace: "default", DaemonSetHistoryTests.daemonSet())
            try await eventuallyTrue(10) { try await Self.livePods(s).mapValues(\.count) == ["n1": 1, "n2": 1] }
            // n1's pod is available; n2's stays Pending.
            let kept = try #require(try await Self.livePods(s)["n1"]?.first)
            let keptName = kept["metadata"]["name"].stringValue ?? ""
            _ = try await s.client.patch(.pods, namespace: "default", name: keptName,
                                         ["status": ["phase": "Running",
                                                     "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"]]]],
                                         status: true)
            // The controller has seen it once the status counts it.
            try await eventuallyTrue(10) {
                try await s.client.get(.daemonSets, namespace: "default", name: "agent")["status"]["numberAvailable"] == 1
            }
            try await s.setImage("agent:2")
            try await eventuallyTrue(10) {
                try await Self.livePods(s)["n2"]?.first?["metadata"]["labels"]["controller-revision-hash"].stringValue == DaemonSetHistoryTests.h2
            }
            try await Task.sleep(for: .milliseconds(500))
            let n1 = try await Self.livePods(s)["n1"] ?? []
            #expect(n1.map { $0["metadata"]["name"].stringValue ?? "" } == [keptName])
            #expect(n1.first?["metadata"]["labels"]["controller-revision-hash"].stringValue == DaemonSetHistoryTests.h1)
        } catch {
            await s.stop()
            throw error
        }
        await s.stop()
    }
}
