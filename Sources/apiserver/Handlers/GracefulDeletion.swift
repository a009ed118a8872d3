/// Graceful deletion of pods, as Kubernetes' pod strategy (`CheckGracefulDelete`) and the
/// generic registry's `BeforeDelete` do it: a pod bound to a node and not finished is only
/// marked (`deletionTimestamp` = now + grace, `deletionGracePeriodSeconds` = grace) and
/// stays until its kubelet finalizes it with a delete of grace 0.
enum GracefulDeletion {
    /// What `BeforeDelete` makes of a delete of a pod.
    enum Decision: Equatable {
        /// Mark the pod: `deletionTimestamp` at `deadline` (seconds since the epoch) and
        /// `deletionGracePeriodSeconds` = `grace`.
        case mark(deadline: Double, grace: Int)
        /// A graceful deletion is under way and this delete does not shorten it: nothing
        /// changes, not even the finalizers a propagation policy would set (Kubernetes'
        /// `Store.Delete` returns on `pendingGraceful` before it looks at the policy:
        /// "finalizers cannot be updated via DeleteOptions if a deletion is already pending").
        case pending
        /// Not graceful: a pod already marked with grace 0 (held by finalizers).
        case notGraceful
    }

    /// The grace a first delete gives `pod`: the request's, else the pod's
    /// `terminationGracePeriodSeconds`, else 30; 0 for pods no kubelet runs (unbound) or
    /// that have finished; a negative grace counts as 1.
    static func gracePeriod(_ pod: JSON, requested: Int?) -> Int {
        if (pod["spec"]["nodeName"].stringValue ?? "").isEmpty { return 0 }
        if ["Succeeded", "Failed"].contains(pod["status"]["phase"].stringValue ?? "") { return 0 }
        let grace = requested ?? pod["spec"]["terminationGracePeriodSeconds"].intValue ?? 30
        return grace < 0 ? 1 : grace
    }

    /// A second delete may only shorten the grace, and only one that names a grace does;
    /// the deadline then counts from when deletion began.
    static func decide(_ pod: JSON, requested: Int?, now: Double) -> Decision {
        let meta = pod["metadata"]
        guard let since = meta["deletionTimestamp"].stringValue.flatMap(Timestamp.parse) else {
            let grace = gracePeriod(pod, requested: requested)
            return .mark(deadline: now + Double(grace), grace: grace)
        }
        let previous = meta["deletionGracePeriodSeconds"].intValue ?? 0
        if previous == 0 { return .notGraceful }
        guard let asked = requested.map({ $0 < 0 ? 1 : $0 }), asked < previous else { return .pending }
        return .mark(deadline: since - Double(previous) + Double(asked), grace: asked)
    }
}
