import ControllerRuntime
import Logging

/// One sync of one Deployment (Kubernetes' `syncDeployment`), from the informers' caches.
/// Writes carry the cached resourceVersion, so a sync from a stale cache conflicts and is
/// retried instead of acting twice.
struct DeploymentSync: Sendable {
    let client: Client
    let events: EventRecorder?
    let logger: Logger
    let clock: any RuntimeClock
    let deployments: Indexer
    let replicaSets: Indexer
    let pods: Indexer

    /// Returns when to look again (a rollout that may pass its deadline), if ever.
    func sync(_ key: String) async throws(Status) -> Double? {
        guard var d = deployments.get(key) else { return nil }
        guard let selector = WorkloadSelector.of(d), !selector.isEmpty else {
            record(d, type: "Warning", reason: "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.")
            if (d["status"]["observedGeneration"].intValue ?? 0) < (d["metadata"]["generation"].intValue ?? 0) {
                var s = d["status"]
                s[path: ["observedGeneration"]] = d["metadata"]["generation"]
                _ = try await writeStatus(d, s)
            }
            return nil
        }
        let params: RolloutParams
        switch RolloutParams.of(d) {
        case .success(let p): params = p
        case .failure(let bad):
            logger.warning("deployment has a bad rolling update value", metadata: ["deployment": .string(key), "error": .string(bad.message)])
            return nil
        }
        let rsList = await claimReplicaSets(d, selector: selector)
        if !d["metadata"]["deletionTimestamp"].isNull {
            let (new, old) = split(d, rsList)
            try await syncStatusOnly(&d, params, all: old + (new.map { [$0] } ?? []), new: new)
            return nil
        }
        if let s = DeploymentConditions.pausedConditions(d, now: Timestamp.format(clock.now)) { d = try await writeStatus(d, s) }
        if d["spec"]["paused"].boolValue == true || RolloutSteps.isScalingEvent(params, all: rsList.map(ReplicaSetInfo.init)) {
            try await syncScale(&d, params, rsList)
            return nil
        }
        if params.rolling {
            return try await rolloutRolling(&d, params, rsList)
        }
        return try await rolloutRecreate(&d, params, rsList)
    }

    /// Kubernetes' `getReplicaSetsForDeployment`: adopt and release through `Claims`.
    func claimReplicaSets(_ d: JSON, selector: LabelSelector) async -> [JSON] {
        let ns = d["metadata"]["namespace"].stringValue ?? ""
        let candidates = replicaSets.byIndex(Indexes.namespace, ns)
        let claims = Claims(client: client, owner: d, ownerType: .deployments, dependentType: .replicaSets, selector: selector)
        return await claims.claim(candidates)
    }

    /// Kubernetes' `rolloutRolling`: grow the new ReplicaSet within maxSurge, else shrink the
    /// old ones within maxUnavailable, else (complete) clean up history.
    func rolloutRolling(_ d: inout JSON, _ p: RolloutParams, _ rsList: [JSON]) async throws(Status) -> Double? {
        let (newRS, oldRSs) = try await replicaSetsSyncingRevision(&d, p, rsList, create: true)
        guard var new = newRS else { return nil }
        var old = oldRSs
        if let size = RolloutSteps.scaleNew(p, new: ReplicaSetInfo(new), old: old.map(ReplicaSetInfo.init)) {
            new = try await scale(new, to: size, d, p)
            return try await syncRolloutStatus(&d, p, all: old + [new], new: new)
        }
        let downs = RolloutSteps.scaleDownOld(p, new: ReplicaSetInfo(new), old: old.map(ReplicaSetInfo.init).active)
        if !downs.isEmpty {
            for i in old.indices {
                if let size = downs[old[i]["metadata"]["name"].stringValue ?? ""] { old[i] = try await scale(old[i], to: size, d, p) }
            }
            return try await syncRolloutStatus(&d, p, all: old + [new], new: new)
        }
        if storedStatusComplete(d) { try await cleanUp(old, d) }
        return try await syncRolloutStatus(&d, p, all: old + [new], new: new)
    }

    /// Kubernetes' `rolloutRecreate`: every old ReplicaSet to 0, wait until none of their
    /// pods is left running, then the new ReplicaSet at full size.
    func rolloutRecreate(_ d: inout JSON, _ p: RolloutParams, _ rsList: [JSON]) async throws(Status) -> Double? {
        var (newRS, old) = try await replicaSetsSyncingRevision(&d, p, rsList, create: false)
        let active = old.filter { ($0["spec"]["replicas"].intValue ?? 1) > 0 }
        if !active.isEmpty {
            for i in old.indices where (old[i]["spec"]["replicas"].intValue ?? 1) > 0 { old[i] = try await scale(old[i], to: 0, d, p) }
            return try await syncRolloutStatus(&d, p, all: old + (newRS.map { [$0] } ?? []), new: newRS)
        }
        if oldPodsRunning(old) { return try await syncRolloutStatus(&d, p, all: old + (newRS.map { [$0] } ?? []), new: newRS) }
        if newRS == nil { (newRS, old) = try await replicaSetsSyncingRevision(&d, p, rsList, create: true) }
        guard var new = newRS else { return nil }
        if (new["spec"]["replicas"].intValue ?? 1) != p.replicas { new = try await scale(new, to: p.replicas, d, p) }
        if storedStatusComplete(d) { try await cleanUp(old, d) }
        return try await syncRolloutStatus(&d, p, all: old + [new], new: new)
    }

    /// Kubernetes' `oldPodsRunning`: any old ReplicaSet still counting pods, or any of their
    /// pods (a terminating one included) not finished.
    func oldPodsRunning(_ old: [JSON]) -> Bool {
        if old.contains(where: { ($0["status"]["replicas"].intValue ?? 0) > 0 }) { return true }
        for rs in old {
            for pod in pods.byIndex(Indexes.ownerUID, rs["metadata"]["uid"].stringValue ?? "") where ControllerRefs.isControlled(pod, byUID: rs["metadata"]["uid"].stringValue ?? "") {
                let phase = PodState.phase(pod)
                if phase != "Succeeded" && phase != "Failed" { return true }
            }
        }
        return false
    }

    /// Kubernetes' `sync`: a paused Deployment or a scaling event resizes the active
    /// ReplicaSets proportionally and creates nothing.
    func syncScale(_ d: inout JSON, _ p: RolloutParams, _ rsList: [JSON]) async throws(Status) {
        var (newRS, old) = try await replicaSetsSyncingRevision(&d, p, rsList, create: false)
        let sizes = RolloutSteps.proportional(p, new: newRS.map(ReplicaSetInfo.init), old: old.map(ReplicaSetInfo.init))
        if let n = newRS, let size = sizes[n["metadata"]["name"].stringValue ?? ""] { newRS = try await scale(n, to: size, d, p) }
        for i in old.indices {
            if let size = sizes[old[i]["metadata"]["name"].stringValue ?? ""] { old[i] = try await scale(old[i], to: size, d, p) }
        }
        if d["spec"]["paused"].boolValue == true { try await cleanUp(old, d) }
        try await syncStatusOnly(&d, p, all: old + (newRS.map { [$0] } ?? []), new: newRS)
    }

    /// Kubernetes' `syncDeploymentStatus`: counts and Available, Progressing untouched.
    func syncStatusOnly(_ d: inout JSON, _ p: RolloutParams, all: [JSON], new: JSON?) async throws(Status) {
        let s = DeploymentConditions.calculate(d, params: p, all: all.map(ReplicaSetInfo.init), new: new.map(ReplicaSetInfo.init),
                                               now: Timestamp.format(clock.now))
        if s != d["status"] { d = try await writeStatus(d, s) }
    }

    /// Kubernetes' `syncRolloutStatus`; returns when to look again for the deadline.
    func syncRolloutStatus(_ d: inout JSON, _ p: RolloutParams, all: [JSON], new: JSON?) async throws(Status) -> Double? {
        let now = clock.now
        var s = DeploymentConditions.calculate(d, params: p, all: all.map(ReplicaSetInfo.init), new: new.map(ReplicaSetInfo.init),
                                               now: Timestamp.format(now))
        s = DeploymentConditions.rollout(d, newStatus: s, newName: new?["metadata"]["name"].stringValue, now: now)
        DeploymentConditions.copyReplicaFailure(&s, all: all, new: new)
        if s != d["status"] {
            d = try await writeStatus(d, s)
            return nil
        }
        return DeploymentConditions.recheckAfter(d, newStatus: s, now: now)
    }

    func storedStatusComplete(_ d: JSON) -> Bool {
        let s = d["status"], r = d["spec"]["replicas"].intValue ?? 1
        return RolloutSteps.complete(replicas: r, updated: s["updatedReplicas"].intValue ?? 0, total: s["replicas"].intValue ?? 0,
                                     available: s["availableReplicas"].intValue ?? 0, observedGeneration: s["observedGeneration"].intValue ?? 0,
                                     generation: d["metadata"]["generation"].intValue ?? 0)
    }

    func record(_ d: JSON, type: String = "Normal", reason: String, _ message: String) {
        events?.record(about: d, .deployments, eventType: type, reason: reason, message)
    }
}
