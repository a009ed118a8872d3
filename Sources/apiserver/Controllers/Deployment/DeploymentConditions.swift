import Wire

/// A Deployment's conditions and status as Kubernetes' deployment controller computes them,
/// with kubectl's reasons and messages. Pure: the time is passed in.
enum DeploymentConditions {
    static let available = "Available", progressing = "Progressing"
    static let minimumReplicasAvailable = "MinimumReplicasAvailable", minimumReplicasUnavailable = "MinimumReplicasUnavailable"
    static let newReplicaSetCreated = "NewReplicaSetCreated", foundNewReplicaSet = "FoundNewReplicaSet"
    static let replicaSetUpdated = "ReplicaSetUpdated", newReplicaSetAvailable = "NewReplicaSetAvailable"
    static let progressDeadlineExceeded = "ProgressDeadlineExceeded", failedCreate = "ReplicaSetCreateError"
    static let paused = "DeploymentPaused", resumed = "DeploymentResumed"
    static let replicaFailure = "ReplicaFailure"

    static func make(_ type: String, _ status: String, _ reason: String, _ message: String, now: String) -> JSON {
        ["type": .string(type), "status": .string(status), "lastUpdateTime": .string(now), "lastTransitionTime": .string(now),
         "reason": .string(reason), "message": .string(message)]
    }

    static func get(_ status: JSON, _ type: String) -> JSON? {
        (status["conditions"].arrayValue ?? []).first { $0["type"].stringValue == type }
    }

    /// Kubernetes' `SetDeploymentCondition`: same status and reason changes nothing; same
    /// status keeps the transition time; the condition goes to the end of the list.
    static func set(_ status: inout JSON, _ c: JSON) {
        var c = c
        let type = c["type"].stringValue ?? ""
        if let current = get(status, type) {
            if current["status"] == c["status"] && current["reason"] == c["reason"] { return }
            if current["status"] == c["status"] { c[path: ["lastTransitionTime"]] = current["lastTransitionTime"] }
        }
        remove(&status, type)
        status[path: ["conditions"]] = .array((status["conditions"].arrayValue ?? []) + [c])
    }

    static func remove(_ status: inout JSON, _ type: String) {
        let kept = (status["conditions"].arrayValue ?? []).filter { $0["type"].stringValue != type }
        status[path: ["conditions"]] = kept.isEmpty ? .null : .array(kept)
    }

    /// Kubernetes' `HasProgressDeadline`.
    static func hasProgressDeadline(_ d: JSON) -> Bool {
        guard let s = d["spec"]["progressDeadlineSeconds"].intValue else { return false }
        return s != Int(Int32.max)
    }

    /// Kubernetes' `calculateStatus`: counts from the ReplicaSets, the old conditions, and
    /// Available from `replicas - maxUnavailable`.
    static func calculate(_ d: JSON, params p: RolloutParams, all: [ReplicaSetInfo], new: ReplicaSetInfo?, now: String) -> JSON {
        let availableCount = all.availableReplicas
        var s: JSON = [
            "observedGeneration": d["metadata"]["generation"].isNull ? .int(0) : d["metadata"]["generation"],
            "replicas": .int(all.reduce(0) { $0 + $1.statusReplicas }),
            "updatedReplicas": .int(new?.statusReplicas ?? 0),
            "readyReplicas": .int(all.reduce(0) { $0 + $1.readyReplicas }),
            "availableReplicas": .int(availableCount),
            "unavailableReplicas": .int(max(0, all.specReplicas - availableCount)),
        ]
        for c in d["status"]["conditions"].arrayValue ?? [] { set(&s, c) }
        if !d["status"]["collisionCount"].isNull { s[path: ["collisionCount"]] = d["status"]["collisionCount"] }
        if availableCount >= p.replicas - p.maxUnavailable {
            set(&s, make(available, "True", minimumReplicasAvailable, "Deployment has minimum availability.", now: now))
        } else {
            set(&s, make(available, "False", minimumReplicasUnavailable, "Deployment does not have minimum availability.", now: now))
        }
        return s
    }

    /// Kubernetes' `syncRolloutStatus` conditions: Progressing from what changed since the
    /// stored status, and the deadline.
    static func rollout(_ d: JSON, newStatus: JSON, newName: String?, now: Double) -> JSON {
        var s = newStatus
        let stamp = Timestamp.format(now)
        guard hasProgressDeadline(d) else {
            remove(&s, progressing)
            return s
        }
        let current = get(d["status"], progressing)
        let int = { (o: JSON, k: String) in o[k].intValue ?? 0 }
        if int(s, "replicas") == int(s, "updatedReplicas") && current?["reason"].stringValue == newReplicaSetAvailable { return s }
        let replicas = d["spec"]["replicas"].intValue ?? 1
        // Kubernetes names the new ReplicaSet, or the Deployment while there is none.
        let subject = newName.map { "ReplicaSet \"\($0)\"" } ?? "Deployment \"\(d["metadata"]["name"].stringValue ?? "")\""
        if RolloutSteps.complete(replicas: replicas, updated: int(s, "updatedReplicas"), total: int(s, "replicas"),
                                 available: int(s, "availableReplicas"), observedGeneration: int(s, "observedGeneration"),
                                 generation: d["metadata"]["generation"].intValue ?? 0) {
            set(&s, make(progressing, "True", newReplicaSetAvailable, "\(subject) has successfully progressed.", now: stamp))
        } else if progressed(old: d["status"], new: s) {
            var c = make(progressing, "True", replicaSetUpdated, "\(subject) is progressing.", now: stamp)
            if let cur = current {
                if cur["status"].stringValue == "True" { c[path: ["lastTransitionTime"]] = cur["lastTransitionTime"] }
                remove(&s, progressing)
            }
            set(&s, c)
        } else if timedOut(d, now: now) {
            set(&s, make(progressing, "False", progressDeadlineExceeded, "\(subject) has timed out progressing.", now: stamp))
        }
        return s
    }

    /// Kubernetes' `getReplicaFailures` as `syncRolloutStatus` uses it: the `ReplicaFailure`
    /// condition of the new ReplicaSet, else of the newest old one that has it, set on the
    /// Deployment with the same status, reason and message (both times are the
    /// ReplicaSet's lastTransitionTime); removed when no ReplicaSet has one. Kubernetes
    /// takes the old ReplicaSets in its cache's order; newest first makes the choice stable.
    static func copyReplicaFailure(_ s: inout JSON, all: [JSON], new: JSON?) {
        let newest = all.sorted { ReplicaSetInfo.byCreation(ReplicaSetInfo($1), ReplicaSetInfo($0)) }
        let failure = ((new.map { [$0] } ?? []) + newest).lazy.compactMap { get($0["status"], replicaFailure) }.first
        guard let failure else {
            remove(&s, replicaFailure)
            return
        }
        let fields: [(String, JSON)] = [("type", .string(replicaFailure)), ("status", failure["status"]),
                                        ("lastUpdateTime", failure["lastTransitionTime"]), ("lastTransitionTime", failure["lastTransitionTime"]),
                                        ("reason", failure["reason"]), ("message", failure["message"])]
        set(&s, .object(JSONObject(fields.filter { !$0.1.isNull })))
    }

    /// Kubernetes' `DeploymentProgressing`.
    static func progressed(old: JSON, new: JSON) -> Bool {
        let o = { (k: String) in old[k].intValue ?? 0 }, n = { (k: String) in new[k].intValue ?? 0 }
        return n("updatedReplicas") > o("updatedReplicas") || n("replicas") - n("updatedReplicas") < o("replicas") - o("updatedReplicas")
            || n("readyReplicas") > o("readyReplicas") || n("availableReplicas") > o("availableReplicas")
    }

    /// Kubernetes' `DeploymentTimedOut`: the Progressing condition not updated for
    /// `progressDeadlineSeconds`.
    static func timedOut(_ d: JSON, now: Double) -> Bool {
        guard hasProgressDeadline(d), let c = get(d["status"], progressing) else { return false }
        switch c["reason"].stringValue {
        case newReplicaSetAvailable: return false
        case progressDeadlineExceeded: return true
        default:
            guard let from = c["lastUpdateTime"].stringValue.flatMap(Timestamp.parse) else { return false }
            return from + Double(d["spec"]["progressDeadlineSeconds"].intValue ?? 0) < now
        }
    }

    /// When a stuck rollout should be looked at again (Kubernetes' `requeueStuckDeployment`).
    static func recheckAfter(_ d: JSON, newStatus: JSON, now: Double) -> Double? {
        guard hasProgressDeadline(d), let c = get(newStatus, progressing),
              c["reason"].stringValue != newReplicaSetAvailable, c["reason"].stringValue != progressDeadlineExceeded,
              c["status"].stringValue == "True",
              let from = c["lastUpdateTime"].stringValue.flatMap(Timestamp.parse) else { return nil }
        return max(1, from + Double(d["spec"]["progressDeadlineSeconds"].intValue ?? 0) - now + 1)
    }

    /// Kubernetes' `checkPausedConditions`: Progressing Unknown with DeploymentPaused or
    /// DeploymentResumed; nil when nothing changes.
    static func pausedConditions(_ d: JSON, now: String) -> JSON? {
        guard hasProgressDeadline(d) else { return nil }
        let cur = get(d["status"], progressing)
        if cur?["reason"].stringValue == progressDeadlineExceeded { return nil }
        let pausedNow = cur?["reason"].stringValue == paused
        var s = d["status"]
        if d["spec"]["paused"].boolValue == true && !pausedNow {
            set(&s, make(progressing, "Unknown", paused, "Deployment is paused", now: now))
        } else if d["spec"]["paused"].boolValue != true && pausedNow {
            set(&s, make(progressing, "Unknown", resumed, "Deployment is resumed", now: now))
        } else {
            return nil
        }
        return s
    }
}
