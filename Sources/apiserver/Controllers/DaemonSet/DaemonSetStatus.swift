/// Kubernetes' `updateDaemonSetStatus`, written through the status subresource.
extension DaemonSetSync {
    /// The counters, from the nodes and the claimed pods. `observed`: the sync went all the
    /// way (expectations were met), so `observedGeneration` may move to the generation.
    func status(_ ds: JSON, nodeList: [NodePlacement], byNode: [String: [JSON]], hash: String, observed: Bool) -> JSON {
        let generation = ds["metadata"]["generation"].intValue
        let minReady = ds["spec"]["minReadySeconds"].intValue ?? 0
        let now = clock.now
        var desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0
        for node in nodeList {
            let pods = byNode[node.name] ?? []
            guard node.shouldRun else {
                if !pods.isEmpty { misscheduled += 1 }
                continue
            }
            desired += 1
            guard let pod = pods.sorted(by: DaemonPods.oldestFirst).first else { continue }
            current += 1
            if PodState.isReady(pod) {
                ready += 1
                if PodState.isAvailable(pod, minReadySeconds: minReady, now: now) { available += 1 }
            }
            if DaemonPods.isUpdated(pod, hash: hash, generation: DaemonPods.templateGeneration(ds)) { updated += 1 }
        }
        var s = ds["status"].objectValue ?? JSONObject()
        s["desiredNumberScheduled"] = .number(String(desired))
        s["currentNumberScheduled"] = .number(String(current))
        s["numberMisscheduled"] = .number(String(misscheduled))
        s["numberReady"] = .number(String(ready))
        // Kubernetes omits these when zero (omitempty).
        for (field, n) in [("updatedNumberScheduled", updated), ("numberAvailable", available), ("numberUnavailable", desired - available)] {
            s[field] = n == 0 ? nil : .number(String(n))
        }
        if observed, let generation { s["observedGeneration"] = .number(String(generation)) }
        return .object(s)
    }

    func updateStatus(_ ds: JSON, key: String, nodeList: [NodePlacement], byNode: [String: [JSON]], hash: String, observed: Bool) async throws(Status) {
        let status = status(ds, nodeList: nodeList, byNode: byNode, hash: hash, observed: observed)
        let minReady = ds["spec"]["minReadySeconds"].intValue ?? 0
        if minReady > 0 && (status["numberReady"].intValue ?? 0) != (status["numberAvailable"].intValue ?? 0) {
            queue.add(key, after: Double(minReady))
        }
        guard status != ds["status"] else { return }
        var updated = ds
        updated["status"] = status
        do {
            _ = try await client.update(.daemonSets, updated, status: true)
        } catch where error.code == 409 || error.isNotFound {
            // Changed (or gone) since the cached version: the informer's event for that
            // queues another sync, which writes the status from the new version.
        }
    }
}
