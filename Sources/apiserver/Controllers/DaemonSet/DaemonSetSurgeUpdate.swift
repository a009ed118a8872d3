/// Kubernetes' daemon `rollingUpdate` with `maxSurge` > 0: a node's new pod is created
/// next to its old one (at most `maxSurge` nodes doing so at a time, besides nodes whose
/// old pod is unavailable anyway) and the old pod is deleted once the new one is
/// available, so an update never leaves a node without an available pod.
extension DaemonSetSync {
    func surgeUpdate(_ ds: JSON, key: String, nodeList: [NodePlacement], byNode: [String: [JSON]], hash: String,
                     maxSurge: Int, desired: Int) async throws(Status) {
        let generation = DaemonPods.templateGeneration(ds)
        let minReady = ds["spec"]["minReadySeconds"].intValue ?? 0
        let now = clock.now
        func available(_ p: JSON) -> Bool { PodState.isAvailable(p, minReadySeconds: minReady, now: now) }
        let eligible = Set(nodeList.filter(\.shouldRun).map(\.name))
        func shouldRun(_ node: String) -> Bool { eligible.contains(node) }
        var deleting: [JSON] = [], shouldNotRun: [JSON] = []
        var candidates: [String] = [], allowed: [String] = []
        var surging = 0, numAvailable = 0
        for (node, pods) in byNode.sorted(by: { $0.key < $1.key }) {
            guard let (new, old) = Self.updatedAndOld(pods, hash: hash, generation: generation) else {
                // Excess pods: the manage step cleans this node up; count it as surging.
                surging += 1
                continue
            }
            if let p = old ?? new, available(p) { numAvailable += 1 }
            guard let old else { continue }
            if let new {
                // Surged here already: the old pod goes once the new one is available.
                if available(new) { deleting.append(old) } else { surging += 1 }
            } else if !available(old) {
                if shouldRun(node) { allowed.append(node) } else { deleting.append(old) }
            } else if !shouldRun(node) {
                shouldNotRun.append(old)
            } else if surging < maxSurge {
                candidates.append(node)
            }
        }
        // Pods on nodes no longer eligible go only while enough others are available.
        deleting += shouldNotRun.prefix(max(0, min(numAvailable - desired, shouldNotRun.count)))
        let room = max(0, min(maxSurge - surging, candidates.count))
        try await syncNodes(ds, key: key, delete: deleting, createOn: allowed + candidates.prefix(room), hash: hash)
    }

    /// Kubernetes' surge rule for a node with more than one live pod: keep the oldest current
    /// and the oldest old pod while the old one is ready and the new one not yet available;
    /// delete the rest.
    func surgeExcess(_ running: [JSON], ds: JSON, hash: String) -> [JSON] {
        let generation = DaemonPods.templateGeneration(ds)
        var oldestNew: JSON?, oldestOld: JSON?, delete: [JSON] = []
        for p in running.sorted(by: DaemonPods.oldestFirst) {
            if DaemonPods.isUpdated(p, hash: hash, generation: generation) {
                if oldestNew == nil { oldestNew = p; continue }
            } else if oldestOld == nil {
                oldestOld = p
                continue
            }
            delete.append(p)
        }
        if let n = oldestNew, let o = oldestOld,
           !PodState.isReady(o) || PodState.isAvailable(n, minReadySeconds: ds["spec"]["minReadySeconds"].intValue ?? 0, now: clock.now) {
            delete.append(o)
        }
        return delete
    }
}
