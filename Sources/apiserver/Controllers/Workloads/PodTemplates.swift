import Wire

/// Pods made from a workload's template (Kubernetes' `GetPodFromTemplate`): the template's
/// labels, annotations, finalizers and spec; a name generated from the owner's; the owner
/// as controller.
enum PodTemplates {
    static func pod(from template: JSON, owner: JSON, _ ownerType: ResourceType) -> JSON {
        var meta = JSONObject()
        meta["generateName"] = .string((owner["metadata"]["name"].stringValue ?? "") + "-")
        meta["namespace"] = owner["metadata"]["namespace"]
        for k in ["labels", "annotations", "finalizers"] where !template["metadata"][k].isNull {
            meta[k] = template["metadata"][k]
        }
        meta["ownerReferences"] = [ControllerRefs.controllerRef(to: owner, ownerType)]
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(meta), "spec": template["spec"]]
    }
}

/// What the workload controllers read of a pod (Kubernetes' `podutil` helpers).
enum PodState {
    static func phase(_ pod: JSON) -> String { pod["status"]["phase"].stringValue ?? "" }
    static func isTerminating(_ pod: JSON) -> Bool { !pod["metadata"]["deletionTimestamp"].isNull }
    /// Finished: phase Succeeded or Failed (Kubernetes' `isPodTerminated`).
    static func isTerminated(_ pod: JSON) -> Bool {
        let p = phase(pod)
        return p == "Succeeded" || p == "Failed"
    }
    /// Counted by ReplicaSets, Deployments and Jobs: not finished and not being deleted.
    static func isActive(_ pod: JSON) -> Bool { !isTerminated(pod) && !isTerminating(pod) }

    /// The `Ready` condition, if true: when it last became true (seconds since the epoch).
    static func readySince(_ pod: JSON) -> Double? {
        guard let c = (pod["status"]["conditions"].arrayValue ?? []).first(where: { $0["type"].stringValue == "Ready" }),
              c["status"].stringValue == "True" else { return nil }
        return c["lastTransitionTime"].stringValue.flatMap(Timestamp.parse) ?? 0
    }

    static func isReady(_ pod: JSON) -> Bool { readySince(pod) != nil }

    /// Ready for at least `minReadySeconds` at `now` (Kubernetes' `IsPodAvailable`).
    static func isAvailable(_ pod: JSON, minReadySeconds: Int, now: Double) -> Bool {
        guard let since = readySince(pod) else { return false }
        return minReadySeconds == 0 || since + Double(minReadySeconds) <= now
    }
}
