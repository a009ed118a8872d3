import Wire

/// A ReplicaSet's status from the pods it owns (Kubernetes' `calculateStatus`), in the form
/// Kubernetes writes it: counts that are 0 are left out (`omitempty`), except `replicas`.
enum ReplicaSetStatusCalculation {
    static let counts = ["fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"]

    static func status(_ rs: JSON, _ owned: [JSON], failure: ReplicaFailure?, now: Double) -> JSON {
        let templateLabels = rs["spec"]["template"]["metadata"]["labels"].objectValue ?? JSONObject()
        let minReady = rs["spec"]["minReadySeconds"].intValue ?? 0
        var fullyLabeled = 0, ready = 0, available = 0
        for p in owned {
            let labels = p["metadata"]["labels"]
            if templateLabels.allSatisfy({ labels[$0.key] == $0.value }) { fullyLabeled += 1 }
            if PodState.isReady(p) {
                ready += 1
                if PodState.isAvailable(p, minReadySeconds: minReady, now: now) { available += 1 }
            }
        }
        var out: JSON = ["replicas": .int(owned.count)]
        for (k, v) in zip(counts, [fullyLabeled, ready, available, rs["metadata"]["generation"].intValue ?? 0]) where v != 0 {
            out[k] = .int(v)
        }
        // Kubernetes' calculateStatus: ReplicaFailure is set when a sync fails and the
        // condition is absent (an existing one is kept as it is), removed by the first sync
        // without a failure (one that waits for expectations and makes no pods included).
        var conditions = rs["status"]["conditions"].arrayValue ?? []
        let hasFailure = conditions.contains { $0["type"] == "ReplicaFailure" }
        if let failure, !hasFailure {
            conditions.append(["type": "ReplicaFailure", "status": "True", "lastTransitionTime": .string(Timestamp.format(now)),
                               "reason": .string(failure.reason), "message": .string(failure.message)])
        } else if failure == nil, hasFailure {
            conditions.removeAll { $0["type"] == "ReplicaFailure" }
        }
        if !conditions.isEmpty { out["conditions"] = .array(conditions) }
        return out
    }

    /// The stored status in the same form, to tell whether a write is needed.
    static func normalized(_ status: JSON) -> JSON {
        var out: JSON = ["replicas": .int(status["replicas"].intValue ?? 0)]
        for k in counts { if let v = status[k].intValue, v != 0 { out[k] = .int(v) } }
        if let c = status["conditions"].arrayValue, !c.isEmpty { out["conditions"] = .array(c) }
        return out
    }

    /// A merge patch writing `status` whole (fields it leaves out, a removed `conditions`
    /// included, are removed), preconditioned on the cached `resourceVersion`: a status
    /// computed from a stale cache conflicts (409) instead of overwriting a newer one.
    static func patch(_ status: JSON, resourceVersion: JSON) -> JSON {
        // Explicit nulls: a merge patch removes what it sets to null.
        let fields = [("replicas", status["replicas"])] + (counts + ["conditions"]).map { ($0, status[$0]) }
        return ["metadata": ["resourceVersion": resourceVersion], "status": .object(JSONObject(fields))]
    }
}
