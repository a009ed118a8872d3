import ControllerRuntime
import Logging

/// One sync of one ReplicaSet (Kubernetes' `syncReplicaSet`): claim the active pods of its
/// namespace, create or delete pods to match `spec.replicas` when expectations allow, then
/// write the status if it changed.
struct ReplicaSetSync: Sendable {
    let client: Client
    let logger: Logger
    let events: EventRecorder?
    let clock: any RuntimeClock
    let replicaSets: Indexer
    let pods: Indexer
    let expectations: ControllerExpectations
    let queue: WorkQueue<String>

    static let kind = "replicaset"

    /// One worker step: `reconcile`, then the queue's policy for its result
    /// (`WorkQueue.process`).
    func sync(_ key: String) async {
        await queue.process(key, logger: logger, kind: Self.kind) { key throws(Status) in try await reconcile(key) }
    }

    /// The sync itself. A failed pod creation or deletion is reported by an event and the
    /// `ReplicaFailure` condition, so it asks for a quiet retry; a failed status write
    /// (a conflict: the cache was behind a write) is thrown.
    func reconcile(_ key: String) async throws(Status) -> SyncResult {
        guard let rs = replicaSets.get(key) else {
            expectations.forget(key)
            return .done
        }
        // Read before listing pods: what the cache shows afterwards is at least this fresh.
        let needsManaging = expectations.satisfied(key)
        guard let selector = WorkloadSelector.of(rs), !selector.isEmpty else {
            logger.warning("replicaset has an invalid or empty selector", metadata: ["replicaset": .string(key)])
            return .done
        }
        let namespace = rs["metadata"]["namespace"].stringValue ?? ""
        // Only active pods are claimed (Kubernetes' FilterActivePods before ClaimPods).
        let candidates = pods.byIndex(Indexes.namespace, namespace).filter(PodState.isActive)
        let owned = await Claims(client: client, owner: rs, ownerType: .replicaSets, dependentType: .pods, selector: selector)
            .claim(candidates)
        var failure: ReplicaFailure?
        // A ReplicaSet being deleted makes no replacements (its pods go with it).
        if needsManaging && rs["metadata"]["deletionTimestamp"].isNull {
            failure = await manageReplicas(owned, rs, key: key)
        }
        let status = ReplicaSetStatusCalculation.status(rs, owned, failure: failure, now: clock.now)
        if status != ReplicaSetStatusCalculation.normalized(rs["status"]) {
            do throws(Status) {
                _ = try await client.patch(.replicaSets, namespace: namespace, name: rs["metadata"]["name"].stringValue ?? "",
                                           ReplicaSetStatusCalculation.patch(status, resourceVersion: rs["metadata"]["resourceVersion"]), status: true)
            } catch where error.isNotFound {
                return .done
            }
        }
        if failure != nil { return .retry }
        // Pods ready but not yet available: look again when minReadySeconds have passed.
        let minReady = rs["spec"]["minReadySeconds"].intValue ?? 0
        let want = rs["spec"]["replicas"].intValue ?? 1
        if minReady > 0, status["readyReplicas"].intValue ?? 0 == want, status["availableReplicas"].intValue ?? 0 != want {
            return .again(after: Double(minReady))
        }
        return .done
    }

    /// Creates or deletes pods (at most `burstReplicas`) so `owned` matches `spec.replicas`.
    /// Returns what failed, for the `ReplicaFailure` condition.
    func manageReplicas(_ owned: [JSON], _ rs: JSON, key: String) async -> ReplicaFailure? {
        let diff = owned.count - (rs["spec"]["replicas"].intValue ?? 1)
        let control = PodControl(client: client, events: events, expectations: expectations, owner: rs, ownerType: .replicaSets, key: key)
        if diff < 0 {
            let count = min(-diff, ReplicaSetController.burstReplicas)
            control.expect(creations: count)
            let pod = PodTemplates.pod(from: rs["spec"]["template"], owner: rs, .replicaSets)
            let error = await control.createAll(Array(repeating: pod, count: count)).error
            return error.map { ReplicaFailure(reason: "FailedCreate", message: $0.message) }
        }
        guard diff > 0 else { return nil }
        let victims = PodRanking.podsToDelete(owned, related: relatedPods(rs), count: min(diff, ReplicaSetController.burstReplicas))
        control.expect(deleting: victims)
        let error = await control.deleteAll(victims).error
        return error.map { ReplicaFailure(reason: "FailedDelete", message: $0.message) }
    }

    /// The pods of every ReplicaSet with the same controller as `rs` (itself included), by
    /// their selectors, each once; none if `rs` has no controller (Kubernetes'
    /// `getIndirectlyRelatedPods`).
    func relatedPods(_ rs: JSON) -> [JSON] {
        guard let owner = ControllerRefs.controllerOf(rs)?["uid"], !owner.isNull else { return [] }
        let ns = rs["metadata"]["namespace"].stringValue ?? ""
        let siblings = replicaSets.byIndex(Indexes.namespace, ns).filter { ControllerRefs.controllerOf($0)?["uid"] == owner }
        let candidates = pods.byIndex(Indexes.namespace, ns)
        var seen = Set<String>(), out: [JSON] = []
        for sibling in siblings {
            guard let selector = WorkloadSelector.of(sibling), !selector.isEmpty else { continue }
            for p in candidates where selector.matches(labelsJSON: p["metadata"]["labels"]) {
                if seen.insert(p["metadata"]["uid"].stringValue ?? "").inserted { out.append(p) }
            }
        }
        return out
    }
}

/// Why the last sync could not create or delete pods (Kubernetes' `ReplicaFailure` condition).
struct ReplicaFailure: Sendable {
    let reason: String
    let message: String
}
