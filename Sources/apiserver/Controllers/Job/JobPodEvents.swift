import ControllerRuntime
import Wire

/// Kubernetes' addPod / updatePod / deletePod for the Job controller: which Jobs a pod
/// event queues, and what it settles (expectations, finalizer removals).
extension JobController {
    func observePod(_ e: ResourceEvent, jobs: Indexer, enqueue: (String) -> Void) {
        // A pod that holds the finalizer but has no controller (orphaned by the garbage
        // collector, or released) is let go, as Kubernetes' orphan-pod cleanup does.
        if case .updated(_, let p) = e, JobRules.hasFinalizer(p), ControllerRefs.controllerOf(p) == nil {
            enqueue(Self.orphanPrefix + Indexer.key(p))
        }
        switch e {
        case .added(let p):
            guard let key = Self.jobKey(of: p) else { return }
            if Self.isOwnedByCachedJob(p, jobs) {
                // A pod first seen already being deleted (after a relist, or a restart) is
                // a deletion observed, never a creation (Kubernetes' addPod).
                if PodState.isTerminating(p) { memory.expectations.deletionObserved(key, uid: Self.uid(p)) }
                else { memory.expectations.creationObserved(key) }
            }
            enqueue(key)
        case .updated(let old, let p):
            if !JobRules.hasFinalizer(p) { memory.finalizerRemovalObserved(Self.uid(p)) }
            if let key = Self.jobKey(of: p) {
                if PodState.isTerminating(p), Self.isOwnedByCachedJob(p, jobs) { memory.expectations.deletionObserved(key, uid: Self.uid(p)) }
                enqueue(key)
            }
            if let oldKey = Self.jobKey(of: old), oldKey != Self.jobKey(of: p) { enqueue(oldKey) }
        case .deleted(let p, _):
            memory.finalizerRemovalObserved(Self.uid(p))
            guard let key = Self.jobKey(of: p) else { return }
            if Self.isOwnedByCachedJob(p, jobs) { memory.expectations.deletionObserved(key, uid: Self.uid(p)) }
            enqueue(key)
        }
    }

    private static func uid(_ p: JSON) -> String { p["metadata"]["uid"].stringValue ?? "" }
}
