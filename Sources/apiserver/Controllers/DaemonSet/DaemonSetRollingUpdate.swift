/// Kubernetes' daemon `rollingUpdate` without surge: deletes old pods, at most
/// `maxUnavailable` nodes without an available pod at a time (nodes with a new pod not yet
/// available count); the manage step creates the new pod once the old one is gone.
/// Stricter than Kubernetes, which does not count a node whose pod is being deleted (or
/// an eligible node with no pod) as unavailable: here it counts, so two nodes are never
/// without their daemon at once with `maxUnavailable: 1`.
/// With `maxSurge` > 0 the update surges instead (DaemonSetSurgeUpdate.swift).
extension DaemonSetSync {
    func rollingUpdate(_ ds: JSON, key: String, nodeList: [NodePlacement], byNode: [String: [JSON]], hash: String) async throws(Status) {
        let generation = DaemonPods.templateGeneration(ds)
        let minReady = ds["spec"]["minReadySeconds"].intValue ?? 0
        let now = clock.now
        let eligible = nodeList.filter(\.shouldRun).map(\.name)
        let maxSurge = try Self.maxSurge(ds, desired: eligible.count)
        if maxSurge > 0 {
            return try await surgeUpdate(ds, key: key, nodeList: nodeList, byNode: byNode, hash: hash, maxSurge: maxSurge, desired: eligible.count)
        }
        let maxUnavailable = try Self.maxUnavailable(ds, desired: eligible.count)
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
                    // An old pod that is not available anyway is replaced at once; its
                    // node is down already and counts (as Kubernetes' numUnavailable++).
                    replaceNow.append(o)
                    unavailable += 1
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

    /// `maxSurge` as a number of nodes (a percentage of `desired` rounded up); 0 unless
    /// RollingUpdate. A malformed value (which validation refuses) fails the sync, as Kubernetes'.
    static func maxSurge(_ ds: JSON, desired: Int) throws(Status) -> Int {
        guard ds["spec"]["updateStrategy"]["type"].stringValue ?? "RollingUpdate" == "RollingUpdate" else { return 0 }
        return max(0, try nodes(ds["spec"]["updateStrategy"]["rollingUpdate"]["maxSurge"], of: desired, fallback: .int(0)))
    }

    private static func nodes(_ v: JSON, of desired: Int, fallback: IntOrPercent) throws(Status) -> Int {
        do throws(IntOrPercent.Invalid) {
            return try IntOrPercent.scaled(v, total: desired, roundUp: true, fallback: fallback)
        } catch {
            throw Status.badRequest(error.message)
        }
    }

    /// Whether the manage step keeps a new pod next to an old one (`AllowsSurge`).
    /// As Kubernetes' `AllowsSurge`, a malformed value allows none.
    static func allowsSurge(_ ds: JSON) -> Bool { ((try? maxSurge(ds, desired: 1)) ?? 0) > 0 }

    /// `maxUnavailable` as a number of nodes (default 1); 1 when it and `maxSurge` are both
    /// 0, as Kubernetes makes an impossible configuration.
    static func maxUnavailable(_ ds: JSON, desired: Int) throws(Status) -> Int {
        let n = max(0, try nodes(ds["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"], of: desired, fallback: .int(1)))
        let surge = try maxSurge(ds, desired: desired)
        return n == 0 && surge == 0 ? 1 : n
    }
}
