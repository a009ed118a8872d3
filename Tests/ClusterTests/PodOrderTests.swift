import Testing
import Wire
@testable import ctl

/// The pod `ctl logs TYPE/NAME` and `ctl exec TYPE/NAME` pick, as kubectl 1.32's
/// podutils.ByLogging and sort.Reverse(podutils.ActivePods) order them.
@Suite struct PodOrderTests {
    static func pod(_ name: String, node: String? = "n1", phase: String = "Running", readySince: String? = nil, notReady: Bool = false,
                    restarts: Int = 0, created: String = "2026-11-30T10:00:00Z") -> JSON {
        var p: JSON = ["metadata": ["name": .string(name), "creationTimestamp": .string(created)],
                       "status": ["phase": .string(phase), "containerStatuses": [["name": "c", "restartCount": .int(restarts)]]]]
        if let node { p[path: ["spec", "nodeName"]] = .string(node) }
        if let readySince { p[path: ["status", "conditions"]] = [["type": "Ready", "status": "True", "lastTransitionTime": .string(readySince)]] }
        if notReady { p[path: ["status", "conditions"]] = [["type": "Ready", "status": "False", "lastTransitionTime": "2026-11-30T10:00:00Z"]] }
        return p
    }

    static func names(_ pods: [JSON], _ less: PodOrder.Less) -> [String] {
        PodOrder.sorted(pods, less).map { $0["metadata"]["name"].stringValue ?? "" }
    }

    @Test func logsPreferAssignedRunningReadyLongestThenRestartsThenOldest() {
        let pods = [
            Self.pod("unassigned", node: nil, phase: "Pending"),
            Self.pod("pending", phase: "Pending"),
            Self.pod("unknown", phase: "Unknown"),
            Self.pod("running-not-ready", notReady: true),
            Self.pod("ready-late", readySince: "2026-11-30T10:05:00Z"),
            Self.pod("ready-early", readySince: "2026-11-30T10:01:00Z"),
            Self.pod("ready-early-restarted", readySince: "2026-11-30T10:01:00Z", restarts: 2),
            // Succeeded ranks with Running (a phase missing from kubectl's map counts as 0).
            Self.pod("succeeded-new", phase: "Succeeded", created: "2026-11-30T10:09:00Z"),
            Self.pod("succeeded-old", phase: "Succeeded", created: "2026-11-30T10:08:00Z"),
        ]
        #expect(Self.names(pods, PodOrder.byLogging) == [
            "ready-early-restarted", "ready-early", "ready-late", "running-not-ready", "succeeded-old", "succeeded-new",
            "unknown", "pending", "unassigned",
        ])
    }

    @Test func execPrefersTheMostActivePod() {
        let pods = [
            Self.pod("unassigned", node: nil, phase: "Pending"),
            Self.pod("pending", phase: "Pending"),
            Self.pod("unknown", phase: "Unknown"),
            Self.pod("running-not-ready", notReady: true),
            Self.pod("ready-late", readySince: "2026-11-30T10:05:00Z"),
            Self.pod("ready-early", readySince: "2026-11-30T10:01:00Z"),
            Self.pod("ready-early-restarted", readySince: "2026-11-30T10:01:00Z", restarts: 2),
            Self.pod("ready-early-newer", readySince: "2026-11-30T10:01:00Z", created: "2026-11-30T10:00:30Z"),
        ]
        // ActivePods puts first the pod a controller would delete first; exec takes the last.
        #expect(Self.names(pods, PodOrder.reverseActive) == [
            "ready-early", "ready-early-newer", "ready-early-restarted", "ready-late", "running-not-ready", "unknown", "pending", "unassigned",
        ])
    }

    /// Equal pods keep the list's order (Go's insertion sort for small slices).
    @Test func tiesKeepTheListOrder() {
        let pods = ["b", "a", "c"].map { Self.pod($0, readySince: "2026-11-30T10:01:00Z") }
        #expect(Self.names(pods, PodOrder.byLogging) == ["b", "a", "c"])
        #expect(Self.names(pods, PodOrder.reverseActive) == ["b", "a", "c"])
    }
}
