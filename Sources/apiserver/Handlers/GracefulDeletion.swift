/// Graceful deletion of pods, as Kubernetes' pod strategy (`CheckGracefulDelete`) and the
/// generic registry's `BeforeDelete` do it: a pod bound to a node and not finished is only
/// marked (`deletionTimestamp` = now + grace, `deletionGracePeriodSeconds` = grace) and
/// stays until its kubelet finalizes it with a delete of grace 0.
enum GracefulDeletion {
    /// The grace a delete gives `pod`: the request's, else the pod's
    /// `terminationGracePeriodSeconds`, else 30; 0 for pods no kubelet runs (unbound) or
    /// that have finished; a negative grace counts as 1.
    static func gracePeriod(_ pod: JSON, requested: Int?) -> Int {
        if (pod["spec"]["nodeName"].stringValue ?? "").isEmpty { return 0 }
        if ["Succeeded", "Failed"].contains(pod["status"]["phase"].stringValue ?? "") { return 0 }
        let grace = requested ?? pod["spec"]["terminationGracePeriodSeconds"].intValue ?? 30
        return grace < 0 ? 1 : grace
    }

    /// What a delete of `old` with `grace` seconds does. A second delete may only shorten the
    /// grace; the deadline then counts from when deletion began, as Kubernetes does.
    static func prepare(current: StoredObject, old: JSON, grace: Int) -> PreparedChange {
        let meta = old["metadata"]
        let finalizers = meta["finalizers"].arrayValue ?? []
        let unchanged = PreparedChange.unchanged(WriteOutcome(bytes: current.bytes, revision: current.modRevision, wrote: false))
        var marked = old
        if let since = meta["deletionTimestamp"].stringValue.flatMap(Timestamp.parse) {
            let previous = meta["deletionGracePeriodSeconds"].intValue ?? 0
            if grace >= previous { return unchanged }
            if grace == 0 && finalizers.isEmpty { return .delete(EncodedObject(old), warnings: []) }
            let began = since - Double(previous)
            marked[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.format(began + Double(grace)))
        } else {
            if grace == 0 && finalizers.isEmpty { return .delete(EncodedObject(old), warnings: []) }
            marked[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.format(Timestamp.nowSeconds() + Double(grace)))
        }
        marked[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(grace)
        return .put(EncodedObject(marked), old: old, warnings: [])
    }
}
