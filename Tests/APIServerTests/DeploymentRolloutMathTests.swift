import Testing
@testable import apiserver

/// The deployment controller's arithmetic and decisions, without a server: expectations
/// worked out by hand from Kubernetes' rules.
struct DeploymentRolloutMathTests {
    @Test func surgeRoundsUpUnavailableRoundsDownAndZeroZeroMeansOne() throws {
        #expect(try RolloutMath.fenceposts(maxSurge: "25%", maxUnavailable: "25%", desired: 10) == (3, 2))
        #expect(try RolloutMath.fenceposts(maxSurge: "25%", maxUnavailable: "25%", desired: 3) == (1, 0))
        #expect(try RolloutMath.fenceposts(maxSurge: 0, maxUnavailable: 0, desired: 5) == (0, 1))
        #expect(try RolloutMath.fenceposts(maxSurge: "0%", maxUnavailable: "10%", desired: 5) == (0, 1))
        #expect(try RolloutMath.fenceposts(maxSurge: 2, maxUnavailable: "50%", desired: 5) == (2, 2))
        #expect(try RolloutMath.fenceposts(maxSurge: "25%", maxUnavailable: "25%", desired: 1000) == (250, 250))
        #expect(throws: RolloutMath.BadValue(message: "invalid value for IntOrString: invalid type: string is not a percentage")) {
            try RolloutMath.fenceposts(maxSurge: "lots", maxUnavailable: 1, desired: 5)
        }
    }

    @Test func paramsCapUnavailableAtReplicasAndRecreateHasNoSurge() throws {
        let rolling: JSON = ["spec": ["replicas": 3, "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": 10]]],
                             "status": ["replicas": 2]]
        #expect(try RolloutParams.of(rolling).get() == RolloutParams(replicas: 3, rolling: true, maxSurge: 1, maxUnavailable: 3, statusReplicas: 2))
        let zero: JSON = ["spec": ["replicas": 0, "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": 1]]]]
        #expect(try RolloutParams.of(zero).get() == RolloutParams(replicas: 0, rolling: true, maxSurge: 1, maxUnavailable: 0))
        let recreate: JSON = ["spec": ["replicas": 4, "strategy": ["type": "Recreate"]]]
        #expect(try RolloutParams.of(recreate).get() == RolloutParams(replicas: 4, rolling: false))
    }

    /// replicas 4, maxSurge 1, maxUnavailable 1: one step at a time, never more than 5 pods
    /// nor fewer than 3 available.
    @Test func rollingUpdateSteps() {
        let p = RolloutParams(replicas: 4, rolling: true, maxSurge: 1, maxUnavailable: 1)
        let old = { (n: Int, avail: Int) in ReplicaSetInfo(name: "web-old", replicas: n, availableReplicas: avail, created: "2026-01-01T00:00:00Z") }
        let new = { (n: Int, avail: Int) in ReplicaSetInfo(name: "web-new", replicas: n, availableReplicas: avail, created: "2026-01-02T00:00:00Z") }
        // The new ReplicaSet surges by one.
        #expect(RolloutSteps.scaleNew(p, new: new(0, 0), old: [old(4, 4)]) == 1)
        // At 5 pods it waits; the old one gives up one available pod (4 available > 3).
        #expect(RolloutSteps.scaleNew(p, new: new(1, 0), old: [old(4, 4)]) == nil)
        #expect(RolloutSteps.scaleDownOld(p, new: new(1, 0), old: [old(4, 4)]) == ["web-old": 3])
        // Room again: the new one grows.
        #expect(RolloutSteps.scaleNew(p, new: new(1, 0), old: [old(3, 3)]) == 2)
        // 5 pods, 3 available: nothing until new pods become available.
        #expect(RolloutSteps.scaleNew(p, new: new(2, 0), old: [old(3, 3)]) == nil)
        #expect(RolloutSteps.scaleDownOld(p, new: new(2, 0), old: [old(3, 3)]) == [:])
        // Two new pods available: two old ones may go.
        #expect(RolloutSteps.scaleDownOld(p, new: new(2, 2), old: [old(3, 3)]) == ["web-old": 1])
        #expect(RolloutSteps.scaleNew(p, new: new(2, 2), old: [old(1, 1)]) == 4)
        #expect(RolloutSteps.scaleDownOld(p, new: new(4, 0), old: [old(1, 1)]) == [:])
        #expect(RolloutSteps.scaleNew(p, new: new(4, 4), old: [old(1, 1)]) == nil)
        #expect(RolloutSteps.scaleDownOld(p, new: new(4, 4), old: [old(1, 1)]) == ["web-old": 0])
        // Larger than wanted (scaled down meanwhile): straight to the size.
        #expect(RolloutSteps.scaleNew(p, new: new(6, 6), old: []) == 4)
    }

    @Test func unavailableOldPodsGoFirstOldestReplicaSetFirst() {
        let p = RolloutParams(replicas: 4, rolling: true, maxSurge: 1, maxUnavailable: 1)
        let a = ReplicaSetInfo(name: "a", replicas: 2, availableReplicas: 2, created: "2026-01-01T00:00:00Z")
        let b = ReplicaSetInfo(name: "b", replicas: 2, availableReplicas: 0, created: "2026-01-02T00:00:00Z")
        let new = ReplicaSetInfo(name: "n", replicas: 1, availableReplicas: 1, created: "2026-01-03T00:00:00Z")
        #expect(RolloutSteps.scaleDownOld(p, new: new, old: [b, a]) == ["b": 0])
        let a3 = ReplicaSetInfo(name: "a", replicas: 3, availableReplicas: 3, created: "2026-01-01T00:00:00Z")
        let b1 = ReplicaSetInfo(name: "b", replicas: 1, availableReplicas: 1, created: "2026-01-02T00:00:00Z")
        #expect(RolloutSteps.scaleDownOld(p, new: ReplicaSetInfo(name: "n", replicas: 1, availableReplicas: 1), old: [b1, a3]) == ["a": 1])
    }

    @Test func recreateTakesTheWholeSizeAtOnce() {
        let p = RolloutParams(replicas: 5, rolling: false)
        #expect(RolloutSteps.newReplicaSetSize(p, new: ReplicaSetInfo(name: "n", replicas: 0), all: [ReplicaSetInfo(name: "o", replicas: 5)]) == 5)
    }

    /// 10 → 15 replicas in the middle of a rollout (maxSurge 25%): 13 pods become 19, spread
    /// as 7 : 6, rounding per ReplicaSet.
    @Test func scalingMidRolloutIsProportional() {
        let p = RolloutParams(replicas: 15, rolling: true, maxSurge: 4, maxUnavailable: 3, statusReplicas: 13)
        let old = ReplicaSetInfo(name: "a", replicas: 6, created: "2026-01-01T00:00:00Z", desiredAnnotation: 10, maxAnnotation: 13)
        let new = ReplicaSetInfo(name: "b", replicas: 7, created: "2026-01-02T00:00:00Z", desiredAnnotation: 10, maxAnnotation: 13)
        #expect(RolloutSteps.isScalingEvent(p, all: [old, new]))
        #expect(RolloutSteps.proportional(p, new: new, old: [old]) == ["a": 9, "b": 10])
        // A max-replicas of 0 (or a negative or missing one) falls back to status.replicas (13), as Kubernetes'.
        let zeroOld = ReplicaSetInfo(name: "a", replicas: 6, created: "2026-01-01T00:00:00Z", desiredAnnotation: 10, maxAnnotation: 0)
        let zeroNew = ReplicaSetInfo(name: "b", replicas: 7, created: "2026-01-02T00:00:00Z", desiredAnnotation: 10, maxAnnotation: 0)
        #expect(RolloutSteps.proportional(p, new: zeroNew, old: [zeroOld]) == ["a": 9, "b": 10])
        let unannotated = ReplicaSetInfo(name: "a", replicas: 6, created: "2026-01-01T00:00:00Z", desiredAnnotation: 10)
        #expect(RolloutSteps.proportional(p, new: zeroNew, old: [unannotated]) == ["a": 9, "b": 10])
        // One active ReplicaSet takes the size; a saturated new one empties the old.
        let single = RolloutParams(replicas: 2, rolling: true, maxSurge: 1, maxUnavailable: 0)
        #expect(RolloutSteps.proportional(single, new: ReplicaSetInfo(name: "b", replicas: 5), old: [ReplicaSetInfo(name: "a", replicas: 0)]) == ["b": 2])
        let whole = ReplicaSetInfo(name: "b", replicas: 2, availableReplicas: 2, desiredAnnotation: 2)
        #expect(RolloutSteps.proportional(single, new: whole, old: [ReplicaSetInfo(name: "a", replicas: 1)]) == ["a": 0])
        #expect(!RolloutSteps.isScalingEvent(single, all: [whole, ReplicaSetInfo(name: "a", replicas: 0, desiredAnnotation: 7)]))
    }

    /// Properties, not values: a pinned value would only repeat the code's own output.
    @Test func templateHashIsStableForEqualTemplatesAndChangesWithAnyField() {
        let t: JSON = ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "web", "image": "nginx:1.14.2"]]]]
        let h = TemplateHash.of(t, collisionCount: nil)
        // A decimal UInt32 (at most 10 digits), each written in the safe-encoding alphabet.
        #expect((1...10).contains(h.count))
        #expect(h.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        // Equal templates, written in another key order or with empty lists, hash alike.
        let reordered: JSON = ["spec": ["containers": [["image": "nginx:1.14.2", "name": "web", "env": []]]], "metadata": ["labels": ["app": "web"]]]
        #expect(TemplateHash.of(reordered, collisionCount: nil) == h)
        #expect(TemplateHash.of(t, collisionCount: nil) == h)
        // Any field changed changes it; so does the collision count (and each count differs).
        let variants: [JSON] = [
            ["metadata": ["labels": ["app": "web2"]], "spec": ["containers": [["name": "web", "image": "nginx:1.14.2"]]]],
            ["metadata": ["labels": ["app": "web", "tier": "a"]], "spec": ["containers": [["name": "web", "image": "nginx:1.14.2"]]]],
            ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "web", "image": "nginx:1.16.1"]]]],
            ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "app", "image": "nginx:1.14.2"]]]],
            ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "web", "image": "nginx:1.14.2", "args": ["-g"]]]]],
            ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "web", "image": "nginx:1.14.2"]], "hostNetwork": true]],
        ]
        var seen: Set<String> = [h]
        for v in variants { seen.insert(TemplateHash.of(v, collisionCount: nil)) }
        for c in [0, 1, 2] { seen.insert(TemplateHash.of(t, collisionCount: c)) }
        #expect(seen.count == 1 + variants.count + 3)
        var labelled = t
        labelled[path: ["metadata", "labels", "pod-template-hash"]] = .string(h)
        #expect(TemplateHash.equalIgnoringHash(labelled, reordered))
        var other = t
        other[path: ["spec", "containers"]] = [["name": "web", "image": "nginx:1.16.1"]]
        #expect(!TemplateHash.equalIgnoringHash(other, t))
    }

    @Test func revisionsMoveForwardAndKeepTheirHistory() {
        let d: JSON = ["metadata": ["annotations": ["team": "a", "deployment.kubernetes.io/revision": "3",
                                                    "kubectl.kubernetes.io/last-applied-configuration": "{}"]]]
        let back: JSON = ["metadata": ["annotations": ["deployment.kubernetes.io/revision": "1"]]]
        let (a, changed) = Revisions.newReplicaSetAnnotations(deployment: d, rs: back, newRevision: 4, exists: true, desired: 3, maxReplicas: 4)
        #expect(changed)
        #expect(JSON.object(a) == ["deployment.kubernetes.io/revision": "4", "team": "a", "deployment.kubernetes.io/revision-history": "1"])
        let again: JSON = ["metadata": ["annotations": .object(a)]]
        let (b, _) = Revisions.newReplicaSetAnnotations(deployment: d, rs: again, newRevision: 6, exists: true, desired: 3, maxReplicas: 4)
        #expect(b["deployment.kubernetes.io/revision-history"] == "1,4")
        let fresh: JSON = ["metadata": [:]]
        let (c, _) = Revisions.newReplicaSetAnnotations(deployment: d, rs: fresh, newRevision: 1, exists: false, desired: 3, maxReplicas: 4)
        #expect(JSON.object(c) == ["team": "a", "deployment.kubernetes.io/revision": "1",
                                   "deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4"])
    }
}

/// The Progressing condition's deadline and the paused conditions, on given times.
struct DeploymentConditionsTests {
    static let t0 = Timestamp.parse("2026-01-01T00:00:00Z") ?? 0

    static func deployment(progressing reason: String, updatedAt: String) -> JSON {
        ["metadata": ["generation": 2], "spec": ["replicas": 3, "progressDeadlineSeconds": 600],
         "status": ["observedGeneration": 2, "replicas": 3, "updatedReplicas": 1, "readyReplicas": 2, "availableReplicas": 2,
                    "conditions": [["type": "Progressing", "status": "True", "reason": .string(reason), "message": "ReplicaSet \"web-2\" is progressing.",
                                    "lastUpdateTime": .string(updatedAt), "lastTransitionTime": "2025-12-31T23:00:00Z"]]]]
    }

    @Test func noProgressForTheDeadlineIsProgressDeadlineExceeded() {
        let d = Self.deployment(progressing: "ReplicaSetUpdated", updatedAt: "2026-01-01T00:00:00Z")
        // Nothing moved: within the deadline the status stays, after it the condition turns False.
        #expect(DeploymentConditions.rollout(d, newStatus: d["status"], newName: "web-2", now: Self.t0 + 600) == d["status"])
        #expect(DeploymentConditions.recheckAfter(d, newStatus: d["status"], now: Self.t0 + 100) == 501)
        let late = DeploymentConditions.rollout(d, newStatus: d["status"], newName: "web-2", now: Self.t0 + 601)
        #expect(late["conditions"] == [["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                                        "message": "ReplicaSet \"web-2\" has timed out progressing.",
                                        "lastUpdateTime": "2026-01-01T00:10:01Z", "lastTransitionTime": "2026-01-01T00:10:01Z"]])
        // One more updated pod is progress: same status True keeps its transition time.
        var moved = d["status"]
        moved["updatedReplicas"] = 2
        let progressed = DeploymentConditions.rollout(d, newStatus: moved, newName: "web-2", now: Self.t0 + 700)
        #expect(progressed["conditions"] == [["type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
                                              "message": "ReplicaSet \"web-2\" is progressing.",
                                              "lastUpdateTime": "2026-01-01T00:11:40Z", "lastTransitionTime": "2025-12-31T23:00:00Z"]])
    }

    /// Without a new ReplicaSet the messages name the Deployment, as Kubernetes' syncRolloutStatus.
    @Test func messagesNameTheDeploymentWhenThereIsNoNewReplicaSet() {
        var d = Self.deployment(progressing: "ReplicaSetUpdated", updatedAt: "2026-01-01T00:00:00Z")
        d[path: ["metadata", "name"]] = "web"
        let late = DeploymentConditions.rollout(d, newStatus: d["status"], newName: nil, now: Self.t0 + 601)
        #expect(late["conditions"].arrayValue?.first?["message"] == "Deployment \"web\" has timed out progressing.")
        var moved = d["status"]
        moved["updatedReplicas"] = 2
        let progressed = DeploymentConditions.rollout(d, newStatus: moved, newName: nil, now: Self.t0 + 700)
        #expect(progressed["conditions"].arrayValue?.first?["message"] == "Deployment \"web\" is progressing.")
        var done = d["status"]
        done["updatedReplicas"] = 3
        done["availableReplicas"] = 3
        let complete = DeploymentConditions.rollout(d, newStatus: done, newName: nil, now: Self.t0 + 700)
        #expect(complete["conditions"].arrayValue?.first?["message"] == "Deployment \"web\" has successfully progressed.")
    }

    @Test func pausingAndResumingSayItOnce() {
        var d = Self.deployment(progressing: "NewReplicaSetAvailable", updatedAt: "2026-01-01T00:00:00Z")
        d[path: ["spec", "paused"]] = true
        let paused = DeploymentConditions.pausedConditions(d, now: "2026-01-01T00:05:00Z")
        #expect(paused?["conditions"] == [["type": "Progressing", "status": "Unknown", "reason": "DeploymentPaused", "message": "Deployment is paused",
                                           "lastUpdateTime": "2026-01-01T00:05:00Z", "lastTransitionTime": "2026-01-01T00:05:00Z"]])
        d[path: ["status"]] = paused ?? .null
        #expect(DeploymentConditions.pausedConditions(d, now: "2026-01-01T00:06:00Z") == nil)
        d[path: ["spec", "paused"]] = false
        #expect(DeploymentConditions.pausedConditions(d, now: "2026-01-01T00:07:00Z")?["conditions"]
            == [["type": "Progressing", "status": "Unknown", "reason": "DeploymentResumed", "message": "Deployment is resumed",
                 "lastUpdateTime": "2026-01-01T00:07:00Z", "lastTransitionTime": "2026-01-01T00:05:00Z"]])
        // A timed-out rollout keeps saying so.
        var stuck = Self.deployment(progressing: "ProgressDeadlineExceeded", updatedAt: "2026-01-01T00:00:00Z")
        stuck[path: ["spec", "paused"]] = true
        #expect(DeploymentConditions.pausedConditions(stuck, now: "2026-01-01T00:05:00Z") == nil)
    }
}

/// Numbers a client stored before validation bounded them (or that validation lets through)
/// resolve to an error or a saturated sum, never to an arithmetic trap.
struct DeploymentRolloutBoundsTests {
    @Test func aPercentageOfReplicasThatOverflowsIsABadValue() throws {
        #expect(throws: RolloutMath.BadValue(message: "invalid value for IntOrString: 9223372036854775807% of 3 is out of range")) {
            try RolloutMath.fenceposts(maxSurge: "9223372036854775807%", maxUnavailable: 0, desired: 3)
        }
        #expect(throws: RolloutMath.BadValue(message: "invalid value for IntOrString: maxSurge resolves to 30000000000, not a 32-bit integer")) {
            try RolloutMath.fenceposts(maxSurge: "1000000000000%", maxUnavailable: 0, desired: 3)
        }
        #expect(throws: RolloutMath.BadValue(message: "invalid value for IntOrString: maxSurge resolves to 9223372036854775807, not a 32-bit integer")) {
            try RolloutMath.fenceposts(maxSurge: 9223372036854775807, maxUnavailable: 0, desired: 3)
        }
        #expect(throws: RolloutMath.BadValue(message: "invalid value for IntOrString: maxUnavailable resolves to -9223372036854775808, not a 32-bit integer")) {
            try RolloutMath.fenceposts(maxSurge: 1, maxUnavailable: -9223372036854775808, desired: 3)
        }
        // The largest valid ones: int32 percentages of int32 replicas fit.
        #expect(try RolloutMath.fenceposts(maxSurge: "2147483647%", maxUnavailable: 0, desired: 1) == (21474837, 0))
        let huge: JSON = ["spec": ["replicas": 9223372036854775807]]
        #expect(RolloutParams.of(huge) == .failure(RolloutMath.BadValue(message: "spec.replicas: 9223372036854775807 is not a 32-bit integer")))
    }

    @Test func theRolloutSumsSaturate() {
        let p = RolloutParams(replicas: 3, rolling: true, maxSurge: Int.max, maxUnavailable: 0)
        #expect(p.maxTotal == Int.max)
        #expect(RolloutParams(replicas: -3, rolling: true, maxSurge: Int.min).maxTotal == Int.min)
        #expect(RolloutSteps.newReplicaSetSize(p, new: ReplicaSetInfo(name: "n", replicas: 0), all: [ReplicaSetInfo(name: "o", replicas: 3)]) == 3)
    }
}
