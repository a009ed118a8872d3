import Synchronization
import Testing
@testable import apiserver

/// The ReplicaSet controller's pure parts: scale-down order and slow-start batches.
@Suite struct ReplicaSetLogicTests {
    static func pod(_ name: String, node: String? = nil, phase: String = "Running", readySince: String? = nil, restarts: Int = 0,
                    created: String = "2026-11-30T10:00:00Z") -> JSON {
        var p: JSON = ["metadata": ["name": .string(name), "creationTimestamp": .string(created)],
                       "spec": [:], "status": ["phase": .string(phase), "containerStatuses": [["restartCount": .int(restarts)]]]]
        if let node { p[path: ["spec", "nodeName"]] = .string(node) }
        if let readySince { p[path: ["status", "conditions"]] = [["type": "Ready", "status": "True", "lastTransitionTime": .string(readySince)]] }
        return p
    }

    @Test func scaleDownOrderFollowsKubernetesRanking() {
        let pods = [
            Self.pod("old-ready-a", node: "a", readySince: "2026-11-30T10:01:00Z"),
            Self.pod("new-ready-b", node: "b", readySince: "2026-11-30T10:05:00Z", created: "2026-11-30T10:04:00Z"),
            Self.pod("old-ready-b", node: "c", readySince: "2026-11-30T10:01:00Z"),
            Self.pod("doubled-1", node: "d", readySince: "2026-11-30T10:01:00Z"),
            Self.pod("doubled-2", node: "d", readySince: "2026-11-30T10:01:00Z"),
            Self.pod("restarted", node: "e", readySince: "2026-11-30T10:01:00Z", restarts: 4),
            Self.pod("unready", node: "f"),
            Self.pod("unknown", node: "g", phase: "Unknown"),
            Self.pod("pending", node: "h", phase: "Pending"),
            Self.pod("unscheduled", phase: "Pending"),
        ]
        let order = PodRanking.podsToDelete(pods, related: pods, count: 9).compactMap { $0["metadata"]["name"].stringValue }
        #expect(order == ["unscheduled", "pending", "unknown", "unready", "doubled-2", "doubled-1", "new-ready-b", "restarted", "old-ready-b"])
        // Asking for all of them (or more) returns them all.
        #expect(PodRanking.podsToDelete(pods, related: pods, count: 10).count == 10)
    }

    /// A lower `controller.kubernetes.io/pod-deletion-cost` goes first among ready pods (before
    /// doubled-up pods and readiness time count); an unready pod goes first whatever its cost.
    @Test func deletionCostComesAfterReadiness() {
        func costing(_ p: JSON, _ cost: String) -> JSON {
            var p = p
            p[path: ["metadata", "annotations"]] = ["controller.kubernetes.io/pod-deletion-cost": .string(cost)]
            return p
        }
        let pods = [
            costing(Self.pod("dear", node: "a", readySince: "2026-11-30T10:05:00Z"), "100"),
            Self.pod("plain-doubled", node: "b", readySince: "2026-11-30T10:01:00Z"),
            Self.pod("plain-doubled-too", node: "b", readySince: "2026-11-30T10:01:00Z"),
            costing(Self.pod("cheap", node: "c", readySince: "2026-11-30T10:01:00Z"), "-5"),
            costing(Self.pod("bad-cost", node: "d", readySince: "2026-11-30T10:09:00Z"), "+3"),
            costing(Self.pod("unready", node: "e"), "1000"),
        ]
        let order = PodRanking.podsToDelete(pods, related: pods, count: 5).compactMap { $0["metadata"]["name"].stringValue }
        #expect(order == ["unready", "cheap", "plain-doubled-too", "plain-doubled", "bad-cost"])
    }

    @Test func deletionCostParsesAsKubernetes() {
        let cases: [(String, Int32?)] = [("0", 0), ("-5", -5), ("2147483647", 2147483647), ("-2147483648", -2147483648),
                                         ("+1", nil), ("007", nil), ("-0", 0), ("-007", -7), ("--1", nil), ("2147483648", nil), ("abc", nil), ("", nil), ("-", nil)]
        for (text, want) in cases { #expect(PodDeletionCost.parse(text) == want, "\(text)") }
    }

    /// Doubled-up pods are counted over the related pods (every ReplicaSet of the same
    /// Deployment), active ones only: a sibling's pod on a node makes this pod there go first.
    @Test func podsOnTheSameNodeCountOverRelatedReplicaSets() {
        let x = Self.pod("x", node: "a", readySince: "2026-11-30T10:01:00Z")
        let y = Self.pod("y", node: "b", readySince: "2026-11-30T10:01:00Z")
        let siblingOnA = Self.pod("s", node: "a", readySince: "2026-11-30T10:01:00Z")
        let siblingOnB = Self.pod("t", node: "b", readySince: "2026-11-30T10:01:00Z")
        let finishedOnA = Self.pod("f", node: "a", phase: "Succeeded")
        func first(_ related: [JSON]) -> String? { PodRanking.podsToDelete([x, y], related: related, count: 1).first?["metadata"]["name"].stringValue }
        #expect(first([x, y, siblingOnA]) == "x")
        #expect(first([x, y, siblingOnB]) == "y")
        #expect(first([x, y, finishedOnA, siblingOnB]) == "y")
    }

    @Test func slowStartDoublesBatchesAndStopsAfterTheFirstFailingBatch() async {
        let calls = Mutex(0)
        let allGood = await SlowStart.run(count: 10) {
            calls.withLock { $0 += 1 }
            return nil
        }
        #expect(allGood.successes == 10 && allGood.error == nil)
        #expect(calls.withLock { $0 } == 10)

        // The fifth call fails: it is in the third batch (calls 4 to 7), which runs whole; no fourth batch.
        let failing = Mutex(0)
        let stopped = await SlowStart.run(count: 100) {
            let n = failing.withLock { c -> Int in c += 1; return c }
            return n == 5 ? Status.forbidden("quota exceeded") : nil
        }
        #expect(failing.withLock { $0 } == 7)
        #expect(stopped.successes == 6)
        #expect(stopped.error?.message == "quota exceeded")
    }

    /// Over items: each item once, in order, batch by batch; after a failing batch the
    /// rest are never tried, and `attempted` says how many were.
    @Test func slowStartOverItemsReportsWhatWasAttempted() async {
        let seen = Mutex<[Int]>([])
        let r = await SlowStart.run(Array(0..<20)) { i in
            seen.withLock { $0.append(i) }
            return i == 9 ? Status.forbidden("no") : nil
        }
        // Batches 0, 1-2, 3-6, 7-14 (9 fails there): 15 tried, 14 made, 15-19 never tried.
        #expect(r.attempted == 15 && r.successes == 14 && r.error?.message == "no")
        #expect(seen.withLock { $0.sorted() } == Array(0..<15))
    }

    @Test func statusLeavesOutZeroCountsAndSetsReplicaFailureOnce() {
        let rs: JSON = ["metadata": ["name": "f", "generation": 4],
                        "spec": ["minReadySeconds": 30, "template": ["metadata": ["labels": ["tier": "frontend", "app": "web"]]]]]
        var full = Self.pod("full", node: "a", readySince: "2026-11-30T10:00:00Z")
        full[path: ["metadata", "labels"]] = ["tier": "frontend", "app": "web"]
        var partial = Self.pod("partial", node: "a", readySince: "2026-11-30T10:00:20Z")
        partial[path: ["metadata", "labels"]] = ["tier": "frontend"]
        let now = Timestamp.parse("2026-11-30T10:00:40Z")!
        #expect(ReplicaSetStatusCalculation.status(rs, [full, partial], failure: nil, now: now)
            == ["replicas": 2, "fullyLabeledReplicas": 1, "readyReplicas": 2, "availableReplicas": 1, "observedGeneration": 4])
        let failed = ReplicaSetStatusCalculation.status(rs, [], failure: ReplicaFailure(reason: "FailedCreate", message: "no"), now: now)
        #expect(failed == ["replicas": 0, "observedGeneration": 4,
                           "conditions": [["type": "ReplicaFailure", "status": "True", "lastTransitionTime": "2026-11-30T10:00:40Z",
                                           "reason": "FailedCreate", "message": "no"]]])
        var after = rs
        after["status"] = failed
        // Still failing: the condition stays as it was; succeeding: it goes.
        #expect(ReplicaSetStatusCalculation.status(after, [], failure: ReplicaFailure(reason: "FailedCreate", message: "again"), now: now + 60) == failed)
        #expect(ReplicaSetStatusCalculation.status(after, [], failure: nil, now: now) == ["replicas": 0, "observedGeneration": 4])
        #expect(ReplicaSetStatusCalculation.patch(["replicas": 0, "observedGeneration": 4], resourceVersion: "41") == (try! JSON.parse("""
        {"metadata":{"resourceVersion":"41"},"status":{"replicas":0,"fullyLabeledReplicas":null,"readyReplicas":null,"availableReplicas":null,"observedGeneration":4,"conditions":null}}
        """)))
    }
}
