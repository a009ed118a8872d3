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

    func sync(_ key: String) async {
        guard let rs = replicaSets.get(key) else {
            expectations.forget(key)
            queue.forget(key)
            return
        }
        // Read before listing pods: what the cache shows afterwards is at least this fresh.
        let needsManaging = expectations.satisfied(key)
        guard let selector = WorkloadSelector.of(rs), !selector.isEmpty else {
            logger.warning("replicaset has an invalid or empty selector", metadata: ["replicaset": .string(key)])
            return
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
        var failed = failure != nil
        if status != ReplicaSetStatusCalculation.normalized(rs["status"]) {
            do {
                _ = try await client.patch(.replicaSets, namespace: namespace, name: rs["metadata"]["name"].stringValue ?? "",
                                           ReplicaSetStatusCalculation.patch(status, resourceVersion: rs["metadata"]["resourceVersion"]), status: true)
            } catch where error.isNotFound {
                return
            } catch where error.code == 409 {
                // The cache was behind a write: look again (its event may also requeue).
                failed = true
            } catch {
                logger.warning("replicaset status write failed", metadata: ["replicaset": .string(key), "error": .string(error.message)])
                failed = true
            }
        }
        if failed {
            queue.addRateLimited(key)
            return
        }
        queue.forget(key)
        // Pods ready but not yet available: look again when minReadySeconds have passed.
        let minReady = rs["spec"]["minReadySeconds"].intValue ?? 0
        let want = rs["spec"]["replicas"].intValue ?? 1
        if minReady > 0, status["readyReplicas"].intValue ?? 0 == want, status["availableReplicas"].intValue ?? 0 != want {
            queue.add(key, after: Double(minReady))
        }
    }

    /// Creates or deletes pods (at most `burstReplicas`) so `owned` matches `spec.replicas`.
    /// Returns what failed, for the `ReplicaFailure` condition.
    func manageReplicas(_ owned: [JSON], _ rs: JSON, key: String) async -> ReplicaFailure? {
        let diff = owned.count - (rs["spec"]["replicas"].intValue ?? 1)
        if diff < 0 {
            let count = min(-diff, ReplicaSetController.burstReplicas)
            expectations.expect(key, creations: count)
            let pod = PodTemplates.pod(from: rs["spec"]["template"], owner: rs, .replicaSets)
            let (created, error) = await SlowStart.run(count: count) { await create(pod, owner: rs) }
            // Creations that failed or were never tried will not be observed.
            for _ in 0..<(count - created) { expectations.creationFailed(key) }
            return error.map { ReplicaFailure(reason: "FailedCreate", message: $0.message) }
        }
        guard diff > 0 else { return nil }
        let victims = PodRanking.podsToDelete(owned, related: relatedPods(rs), count: min(diff, ReplicaSetController.burstReplicas))
        expectations.expect(key, deletingUIDs: victims.map { $0["metadata"]["uid"].stringValue ?? "" })
        let errors = await withTaskGroup(of: Status?.self) { g -> [Status] in
            for p in victims { g.addTask { await delete(p, owner: rs, key: key) } }
            var errors: [Status] = []
            for await e in g { if let e { errors.append(e) } }
            return errors
        }
        return errors.first.map { ReplicaFailure(reason: "FailedDelete", message: $0.message) }
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

    func create(_ pod: JSON, owner rs: JSON) async -> Status? {
        do {
            let made = try await client.create(.pods, namespace: rs["metadata"]["namespace"].stringValue, pod)
            record(rs, reason: "SuccessfulCreate", "Created pod: \(made["metadata"]["name"].stringValue ?? "")")
            return nil
        } catch where error.isNamespaceTerminating {
            // As Kubernetes: every creation in a terminating namespace fails; no event, no failure.
            return nil
        } catch {
            record(rs, type: "Warning", reason: "FailedCreate", "Error creating: \(error.message)")
            return error
        }
    }

    func delete(_ pod: JSON, owner rs: JSON, key: String) async -> Status? {
        await PodDeletion(client: client, events: events, expectations: expectations).delete(pod, owner: rs, .replicaSets, key: key).error
    }

    func record(_ rs: JSON, type: String = "Normal", reason: String, _ message: String) {
        events?.record(about: rs, .replicaSets, eventType: type, reason: reason, message)
    }
}

/// Why the last sync could not create or delete pods (Kubernetes' `ReplicaFailure` condition).
struct ReplicaFailure: Sendable {
    let reason: String
    let message: String
}
