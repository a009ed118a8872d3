/// Kubernetes' daemon `rollingUpdate` without surge: deletes old pods, at most
/// `maxUnavailable` nodes without an available pod at a time (nodes with a new pod not yet
/// available count); the manage step creates the new pod once the old one is gone.
/// Stricter than Kubernetes, which does not count a node whose pod is being deleted (or
/// an eligible node with no pod) as unavailable: here it counts, so two nodes are never
/// without their daemon at once with `maxUnavailable: 1`.
/// `maxSurge` is not implemented: a DaemonSet always updates as with `maxSurge: 0`.
extension DaemonSetSync {
    func rollingUpdate(_ ds: JSON, key: String, nodeList: [JSON], byNode: [String: [JSON]], hash: String) async throws(Status) {
        let generation = ds["metadata"]["generation"].intValue
        let minReady = ds["spec"]["minReadySeconds"].intValue ?? 0
        let now = clock.now
        let eligible = nodeList.compactMap { n -> String? in
            DaemonPlacement.shouldRun(template: ds["spec"]["template"], on: n).shouldRun ? n["metadata"]["name"].stringValue : nil
        }
        let maxUnavailable = Self.maxUnavailable(ds, desired: eligible.count)
        var unavailable = 0
        var replaceNow: [JSON] = [], candidates: [JSON] = []
        for node in Set(eligible).union(byNode.keys).sorted() {
            let pods = byNode[node] ?? []
            guard let (new, old) = Self.updatedAndOld(pods, hash: hash, generation: generation) else {
                // Excess pods: the manage step cleans this node up; count it unavailable.
                unavailable += 1
                continue
            }
            switch (new, old) {
            case (nil, nil), (.some, .some): unavailable += 1
            case (.some(let n), nil):
                if !PodState.isAvailable(n, minReadySeconds: minReady, now: now) { unavailable += 1 }
            case (nil, .some(let o)):
                if !PodState.isAvailable(o, minReadySeconds: minReady, now: now) {
                    // An old pod that is not available anyway is replaced at once.
                    replaceNow.append(o)
                } else if unavailable < maxUnavailable {
                    candidates.append(o)
                }
            }
        }
        let room = max(0, min(maxUnavailable - unavailable, candidates.count))
        try await syncNodes(ds, key: key, delete: replaceNow + candidates.prefix(room), createOn: [], hash: hash)
    }

    /// `findUpdatedPodsOnNode`: the node's one up-to-date and one old live pod; nil when it
    /// has more than one of either.
    static func updatedAndOld(_ pods: [JSON], hash: String, generation: Int?) -> (new: JSON?, old: JSON?)? {
        var new: JSON?, old: JSON?
        for p in pods where PodState.isNotBeingDeleted(p) {
            if DaemonPods.isUpdated(p, hash: hash, generation: generation) {
                if new != nil { return nil }
                new = p
            } else {
                if old != nil { return nil }
                old = p
            }
        }
        return (new, old)
    }

    /// `maxUnavailable` as a number of nodes (a percentage of the desired count, rounded
    /// up); at least 1, as Kubernetes makes it when `maxSurge` is 0 too.
    static func maxUnavailable(_ ds: JSON, desired: Int) -> Int {
        let v = ds["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"]
        var n = 1
        if let i = v.intValue {
            n = i
        } else if let s = v.stringValue, s.hasSuffix("%"), let pct = Int(s.dropLast()) {
            n = (pct * desired + 99) / 100
        }
        return max(n, 1)
    }
}
