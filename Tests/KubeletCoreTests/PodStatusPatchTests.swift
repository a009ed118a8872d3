import Testing
import Wire
@testable import KubeletCore

/// The kubelet's pods/status patch names only the conditions it writes.
@Suite struct PodStatusPatchTests {
    static let disruption: JSON = ["type": "DisruptionTarget", "status": "True", "reason": "DeletionByTaintManager",
                                   "lastTransitionTime": "2026-11-30T10:00:00Z"]

    /// A status built from a pod the kubelet saw with the controller's DisruptionTarget: the
    /// copy it carries is left out (the server's merge by type keeps the live one), its own
    /// conditions are sent.
    @Test func othersConditionsCopiedFromTheCacheAreNotSent() throws {
        let seen = try Client.decode(Pod.self, ["metadata": ["name": "p", "uid": "u1"], "status": ["conditions": [Self.disruption]]])
        let status = try Client.decode(PodStatus.self, [
            "phase": "Running",
            "conditions": [Self.disruption,
                           ["type": "Ready", "status": "True", "lastTransitionTime": "2026-11-30T10:00:01Z"]],
        ])
        let body = try PodStatusPatch.body(uid: "u1", status: status, seen: seen)
        #expect(body == ["metadata": ["uid": "u1"],
                         "status": ["phase": "Running", "reason": .null, "message": .null, "initContainerStatuses": .null, "podIP": .null,
                                    "podIPs": .null, "startTime": .null,
                                    "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": "2026-11-30T10:00:01Z"]],
                                    "$setElementOrder/conditions": [["type": "DisruptionTarget"], ["type": "Ready"]]]])
    }

    /// A condition the kubelet set itself (node-pressure eviction) is sent; with no
    /// condition to send, the patch leaves the list alone.
    @Test func theKubeletsOwnDisruptionIsSentAndNoConditionsLeaveTheListAlone() throws {
        let seen = try Client.decode(Pod.self, ["metadata": ["name": "p", "uid": "u1"]])
        let own: JSON = ["type": "DisruptionTarget", "status": "True", "reason": "TerminationByKubelet", "message": "low memory",
                         "lastTransitionTime": "2026-11-30T10:00:02Z"]
        let evicted = try Client.decode(PodStatus.self, ["phase": "Failed", "reason": "Evicted", "conditions": [own]])
        #expect(try PodStatusPatch.body(uid: "u1", status: evicted, seen: seen)["status"]["conditions"] == [own])
        let bare = try Client.decode(PodStatus.self, ["phase": "Pending"])
        #expect(try PodStatusPatch.body(uid: "u1", status: bare, seen: seen)["status"].objectValue?["conditions"] == nil)
    }
}
