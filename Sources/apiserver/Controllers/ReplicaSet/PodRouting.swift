import ControllerRuntime

/// Which ReplicaSets a pod event concerns (Kubernetes' addPod/updatePod/deletePod of the
/// replicaset controller), and the creations and deletions it lets expectations observe.
struct PodRouting: Sendable {
    let replicaSets: SharedInformer
    let queue: WorkQueue<String>
    let expectations: ControllerExpectations

    func added(_ pod: JSON) {
        // Seen for the first time already being deleted (a relist): a deletion, for counting.
        if PodState.isTerminating(pod) { return deleted(pod) }
        if let ref = ControllerRefs.controllerOf(pod) {
            guard let rs = resolve(ref, namespace: pod["metadata"]["namespace"].stringValue) else { return }
            let key = Indexer.key(rs)
            expectations.creationObserved(key)
            queue.add(key)
            return
        }
        // An orphan: every ReplicaSet that may adopt it syncs.
        for rs in matching(pod) { queue.add(Indexer.key(rs)) }
    }

    func updated(old: JSON, new: JSON) {
        // A resync, or a write that changed nothing.
        if old["metadata"]["resourceVersion"] == new["metadata"]["resourceVersion"] { return }
        let labelsChanged = old["metadata"]["labels"] != new["metadata"]["labels"]
        if PodState.isTerminating(new) {
            // Graceful deletion began: the ReplicaSet may replace the pod now. A pod whose
            // labels changed at once may have belonged to other ReplicaSets too.
            deleted(new)
            if labelsChanged { deleted(old) }
            return
        }
        let oldRef = ControllerRefs.controllerOf(old), newRef = ControllerRefs.controllerOf(new)
        let namespace = new["metadata"]["namespace"].stringValue
        if let oldRef, oldRef["uid"] != newRef?["uid"], let rs = resolve(oldRef, namespace: namespace) {
            queue.add(Indexer.key(rs))  // released: the old owner wants a replacement
        }
        if let newRef {
            guard let rs = resolve(newRef, namespace: namespace) else { return }
            let key = Indexer.key(rs)
            queue.add(key)
            // Kubernetes checks availability again once minReadySeconds have passed.
            let minReady = rs["spec"]["minReadySeconds"].intValue ?? 0
            if minReady > 0, !PodState.isReady(old), PodState.isReady(new) { queue.add(key, after: Double(minReady) + 1) }
            return
        }
        if labelsChanged || oldRef != nil {
            for rs in matching(new) { queue.add(Indexer.key(rs)) }
        }
    }

    func deleted(_ pod: JSON) {
        guard let ref = ControllerRefs.controllerOf(pod),
              let rs = resolve(ref, namespace: pod["metadata"]["namespace"].stringValue) else { return }
        let key = Indexer.key(rs)
        expectations.deletionObserved(key, uid: pod["metadata"]["uid"].stringValue ?? "")
        queue.add(key)
    }

    /// The cached ReplicaSet a controllerRef names, if it is one and its uid matches.
    func resolve(_ ref: JSON, namespace: String?) -> JSON? {
        guard ref["kind"].stringValue == "ReplicaSet", let name = ref["name"].stringValue,
              let rs = replicaSets.indexer.get(namespace: namespace, name: name),
              rs["metadata"]["uid"] == ref["uid"] else { return nil }
        return rs
    }

    /// ReplicaSets in the pod's namespace whose (non-empty) selector matches its labels.
    func matching(_ pod: JSON) -> [JSON] {
        let labels = pod["metadata"]["labels"]
        return replicaSets.indexer.byIndex(Indexes.namespace, pod["metadata"]["namespace"].stringValue ?? "").filter { rs in
            guard let selector = WorkloadSelector.of(rs), !selector.isEmpty else { return false }
            return selector.matches(labelsJSON: labels)
        }
    }
}
