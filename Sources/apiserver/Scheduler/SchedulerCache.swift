import Synchronization

/// Kubernetes' scheduler cache: every node's info kept up to date from the pod and node
/// informers' events instead of being rebuilt for every pod. A pod the scheduler has placed
/// is "assumed" (counted on its node at once) until the informer shows it bound (confirmed)
/// or its bind fails (forgotten), so the next pod sees the room taken without waiting for
/// the watch.
final class SchedulerCache: Sendable {
    struct CountedPod: Equatable {
        var node: String
        var requests: ResourceList
        var assumed: Bool
        /// The pod's uid: a late bind failure of a deleted pod must not uncount a new pod of
        /// the same name (Kubernetes keys its assume cache by uid).
        var uid = ""
    }

    fileprivate struct State {
        var infos: [NodeInfo] = []            // sorted by name: the round-robin order
        var index: [String: Int] = [:]        // node name → position in `infos`
        var pods: [String: CountedPod] = [:]  // pod key → what it takes where
        var nextStart = 0                     // where the next cycle starts filtering
    }

    private let state = Mutex(State())

    // MARK: Node events

    func nodeChanged(_ node: JSON) {
        let name = node["metadata"]["name"].stringValue ?? ""
        state.withLock { s in
            if let i = s.index[name] { s.infos[i].setNode(node); return }
            var info = NodeInfo(node: node)
            for p in s.pods.values where p.node == name { info.add(requests: p.requests) }
            s.infos.append(info)
            s.infos.sort { $0.name < $1.name }
            s.reindex()
        }
    }

    /// Its pods stay counted, for when it comes back.
    func nodeDeleted(_ name: String) {
        state.withLock { s in
            guard let i = s.index[name] else { return }
            s.infos.remove(at: i)
            s.reindex()
        }
    }

    // MARK: Pod events

    /// A pod added or changed in the informer: counted on its node while bound and not
    /// finished. An assumed pod the informer does not show bound yet stays assumed.
    func podChanged(_ pod: JSON) {
        let key = Scheduler.key(pod)
        // Read outside the lock, which the scheduling cycle holds.
        let counted = Scheduler.holdsResources(pod)
            ? CountedPod(node: pod["spec"]["nodeName"].stringValue ?? "", requests: PodResources.requests(pod), assumed: false,
                         uid: pod["metadata"]["uid"].stringValue ?? "") : nil
        let pending = Scheduler.needsScheduling(pod)
        state.withLock { s in
            if counted == nil, pending, s.pods[key]?.assumed == true { return }
            if counted == nil, s.pods[key] == nil { return }
            s.put(key, counted)
        }
    }

    func podDeleted(_ pod: JSON) {
        state.withLock { $0.put(Scheduler.key(pod), nil) }
    }

    // MARK: Scheduling

    /// Runs the algorithm on the cached nodes from where the last cycle stopped and, on a
    /// fit, assumes the pod there.
    func scheduleAndAssume(_ pod: JSON) -> SchedulingDecision {
        let key = Scheduler.key(pod), requests = PodResources.requests(pod), uid = pod["metadata"]["uid"].stringValue ?? ""
        return state.withLock { s in
            let start = s.infos.isEmpty ? 0 : s.nextStart % s.infos.count
            let (decision, processed) = SchedulingAlgorithm.schedule(pod: pod, nodes: s.infos, from: start)
            s.nextStart = s.infos.isEmpty ? 0 : (start + processed) % s.infos.count
            if case .node(let node) = decision { s.put(key, CountedPod(node: node, requests: requests, assumed: true, uid: uid)) }
            return decision
        }
    }

    /// A pod counted on `node` at once, before the informer shows it there.
    func assume(_ pod: JSON, on node: String) {
        state.withLock {
            $0.put(Scheduler.key(pod), CountedPod(node: node, requests: PodResources.requests(pod), assumed: true,
                                                  uid: pod["metadata"]["uid"].stringValue ?? ""))
        }
    }

    /// Its bind failed: uncounted, unless the informer has confirmed it meanwhile or the
    /// name now holds another pod (`uid`).
    func forget(_ key: String, uid: String) {
        state.withLock { s in
            if let p = s.pods[key], p.assumed, p.uid == uid { s.put(key, nil) }
        }
    }

    func isAssumed(_ key: String) -> Bool { state.withLock { $0.pods[key]?.assumed == true } }

    func nodeInfo(_ name: String) -> NodeInfo? { state.withLock { s in s.index[name].map { s.infos[$0] } } }
    func countedPod(_ key: String) -> CountedPod? { state.withLock { $0.pods[key] } }
}

extension SchedulerCache.State {
    mutating func reindex() {
        index = Dictionary(uniqueKeysWithValues: infos.enumerated().map { ($0.element.name, $0.offset) })
    }

    /// Replaces what the pod `key` takes (nil: nothing), on the node infos as well.
    mutating func put(_ key: String, _ new: SchedulerCache.CountedPod?) {
        if let old = pods[key], let i = index[old.node] { infos[i].remove(requests: old.requests) }
        pods[key] = new
        if let new, let i = index[new.node] { infos[i].add(requests: new.requests) }
    }
}
