import Wire

/// The `pods/status` patch a kubelet sends: a strategic merge patch (conditions merge by
/// `type`) with the pod's uid as precondition. It names only the conditions the kubelet
/// writes (its own types, and one it set or changed such as its `DisruptionTarget`), never
/// the copies of others' conditions it carries from its cache: a patch built from a cache
/// that has not yet seen the taint eviction controller's `DisruptionTarget` must not remove
/// it (Kubernetes' status manager merges into the live pod for the same reason). A
/// `$setElementOrder/conditions` directive keeps the list in the kubelet's order.
public enum PodStatusPatch {
    /// `seen` is the pod object the status was built from.
    public static func body(uid: String, status: PodStatus, seen: Pod) throws -> JSON {
        var body = try JSON(encoding: status).objectValue ?? JSONObject()
        // Fields this status leaves out are cleared (null deletes, as in a merge patch).
        for key in ["reason", "message", "initContainerStatuses", "podIP", "podIPs", "startTime"] where body[key] == nil {
            body[key] = JSON.null
        }
        let seenConditions = seen.status?.conditions ?? []
        let written = (status.conditions ?? []).filter { c in
            PodWorker.kubeletConditionTypes.contains(c.type) || !seenConditions.contains(c)
        }
        body["conditions"] = written.isEmpty ? nil : try JSON(encoding: written)
        // The order of the whole list (Kubernetes' two-way patches carry it too): the kubelet's
        // types in Kubernetes' order even where the scheduler wrote PodScheduled first.
        if let all = status.conditions, !written.isEmpty {
            body["$setElementOrder/conditions"] = .array(all.map { ["type": .string($0.type)] })
        }
        return ["metadata": ["uid": .string(uid)], "status": .object(body)]
    }
}
