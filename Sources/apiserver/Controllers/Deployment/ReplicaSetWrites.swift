import ControllerRuntime

/// The deployment controller's writes: its ReplicaSets (made, resized, cleaned up) and the
/// Deployment's revision annotation and status.
extension DeploymentSync {
    /// Kubernetes' `FindNewReplicaSet` / `FindOldReplicaSets`: the oldest ReplicaSet whose
    /// template equals the Deployment's (ignoring the hash label) is the new one.
    func split(_ d: JSON, _ rsList: [JSON]) -> (new: JSON?, old: [JSON]) {
        let sorted = rsList.sorted { ReplicaSetInfo.byCreation(ReplicaSetInfo($0), ReplicaSetInfo($1)) }
        guard let new = sorted.first(where: { TemplateHash.equalIgnoringHash($0["spec"]["template"], d["spec"]["template"]) }) else {
            return (nil, sorted)
        }
        return (new, sorted.filter { $0["metadata"]["uid"] != new["metadata"]["uid"] })
    }

    /// Kubernetes' `getAllReplicaSetsAndSyncRevision` / `getNewReplicaSet`: the new
    /// ReplicaSet with its revision (max old revision + 1) and the Deployment's revision
    /// annotation in step; made when missing and `create`.
    func replicaSetsSyncingRevision(_ d: inout JSON, _ p: RolloutParams, _ rsList: [JSON], create: Bool) async throws(Status) -> (JSON?, [JSON]) {
        let (existing, old) = split(d, rsList)
        // Revision annotations are client-writable text Kubernetes parses as int64 (where
        // max+1 wraps silently): at the top there is no next, and the sync fails with that
        // rather than wrap or reuse a number (as DaemonSetHistory does for its revisions).
        let (newRevision, exhausted) = Revisions.maxRevision(old).addingReportingOverflow(1)
        if exhausted {
            throw Status.internalError("no revision number is left above \(Int.max) for the new ReplicaSet of this deployment")
        }
        let now = Timestamp.format(clock.now)
        if var rs = existing {
            let (annotations, changed) = Revisions.newReplicaSetAnnotations(deployment: d, rs: rs, newRevision: newRevision, exists: true,
                                                                            desired: p.replicas, maxReplicas: p.maxTotal)
            let minReady = d["spec"]["minReadySeconds"].intValue ?? 0
            if changed || (rs["spec"]["minReadySeconds"].intValue ?? 0) != minReady {
                rs[path: ["metadata", "annotations"]] = .object(annotations)
                rs[path: ["spec", "minReadySeconds"]] = .int(minReady)
                rs = try await client.update(.replicaSets, rs)
            }
            try await setRevision(&d, annotations[Revisions.revision]?.stringValue ?? "")
            if DeploymentConditions.hasProgressDeadline(d) && DeploymentConditions.get(d["status"], DeploymentConditions.progressing) == nil {
                var s = d["status"]
                DeploymentConditions.set(&s, DeploymentConditions.make(DeploymentConditions.progressing, "True", DeploymentConditions.foundNewReplicaSet,
                                                                       "Found new replica set \"\(rs["metadata"]["name"].stringValue ?? "")\"", now: now))
                d = try await writeStatus(d, s)
            }
            return (rs, old)
        }
        guard create else { return (nil, old) }
        let created = try await createNew(&d, p, old: old, revision: newRevision, now: now)
        return (created, old)
    }

    /// Makes `<deployment>-<hash>` with the hash label on its selector, template and
    /// labels, sized by the strategy.
    func createNew(_ d: inout JSON, _ p: RolloutParams, old: [JSON], revision: Int, now: String) async throws(Status) -> JSON {
        let hash = TemplateHash.of(d["spec"]["template"], collisionCount: d["status"]["collisionCount"].intValue)
        var template = d["spec"]["template"]
        template[path: ["metadata", "labels", TemplateHash.label]] = .string(hash)
        var selector = d["spec"]["selector"]
        selector[path: ["matchLabels", TemplateHash.label]] = .string(hash)
        let name = (d["metadata"]["name"].stringValue ?? "") + "-" + hash
        var rs: JSON = ["apiVersion": "apps/v1", "kind": "ReplicaSet",
                        "metadata": ["name": .string(name), "namespace": d["metadata"]["namespace"], "labels": template["metadata"]["labels"],
                                     "ownerReferences": [ControllerRefs.controllerRef(to: d, .deployments)]],
                        "spec": ["replicas": 0, "minReadySeconds": .int(d["spec"]["minReadySeconds"].intValue ?? 0),
                                 "selector": selector, "template": template]]
        let size = RolloutSteps.newReplicaSetSize(p, new: ReplicaSetInfo(name: name, replicas: 0), all: old.map(ReplicaSetInfo.init))
        rs[path: ["spec", "replicas"]] = .int(size)
        let (annotations, _) = Revisions.newReplicaSetAnnotations(deployment: d, rs: rs, newRevision: revision, exists: false,
                                                                 desired: p.replicas, maxReplicas: p.maxTotal)
        rs[path: ["metadata", "annotations"]] = .object(annotations)
        let ns = d["metadata"]["namespace"].stringValue
        var made: JSON
        var alreadyExisted = false
        do {
            made = try await client.create(.replicaSets, namespace: ns, rs)
        } catch where error.reason == "AlreadyExists" {
            // Ours from an earlier sync whose create the cache has not shown yet, or a
            // hash collision: then the next name comes from a raised collisionCount.
            let live = try await client.getIfPresent(.replicaSets, namespace: ns, name: name)
            if let live, ControllerRefs.isControlled(live, byUID: d["metadata"]["uid"].stringValue ?? ""),
               TemplateHash.equalIgnoringHash(live["spec"]["template"], d["spec"]["template"]) {
                made = live
                alreadyExisted = true
            } else {
                var s = d["status"]
                s[path: ["collisionCount"]] = .int((d["status"]["collisionCount"].intValue ?? 0) + 1)
                d = try await writeStatus(d, s)
                throw error
            }
        } catch {
            let message = "Failed to create new replica set \"\(name)\": \(error.message)"
            if DeploymentConditions.hasProgressDeadline(d) && error.code != 403 {
                var s = d["status"]
                DeploymentConditions.set(&s, DeploymentConditions.make(DeploymentConditions.progressing, "False", DeploymentConditions.failedCreate, message, now: now))
                d = try await writeStatus(d, s)
            }
            record(d, type: "Warning", reason: "FailedCreate", message)
            throw error
        }
        if !alreadyExisted && size > 0 { record(d, reason: "ScalingReplicaSet", "Scaled up replica set \(name) from 0 to \(size)") }
        try await setRevision(&d, String(revision))
        if !alreadyExisted && DeploymentConditions.hasProgressDeadline(d) {
            var s = d["status"]
            DeploymentConditions.set(&s, DeploymentConditions.make(DeploymentConditions.progressing, "True", DeploymentConditions.newReplicaSetCreated,
                                                                   "Created new replica set \"\(name)\"", now: now))
            d = try await writeStatus(d, s)
        }
        return made
    }

    /// Kubernetes' `scaleReplicaSetAndRecordEvent`: the size and the replica annotations,
    /// with a ScalingReplicaSet event when the size changes.
    func scale(_ rs: JSON, to size: Int, _ d: JSON, _ p: RolloutParams) async throws(Status) -> JSON {
        let current = rs["spec"]["replicas"].intValue ?? 1
        let (annotations, changed) = Revisions.withReplicaAnnotations(Revisions.annotations(rs), desired: p.replicas, max: p.maxTotal)
        guard current != size || changed else { return rs }
        var updated = rs
        updated[path: ["spec", "replicas"]] = .int(size)
        updated[path: ["metadata", "annotations"]] = .object(annotations)
        let written = try await client.update(.replicaSets, updated)
        if current != size {
            let name = rs["metadata"]["name"].stringValue ?? ""
            record(d, reason: "ScalingReplicaSet", "Scaled \(size > current ? "up" : "down") replica set \(name) from \(current) to \(size)")
        }
        return written
    }

    /// Kubernetes' `cleanupDeployment`: old ReplicaSets beyond `revisionHistoryLimit` that
    /// are scaled to 0 and settled are deleted, lowest revision first.
    func cleanUp(_ old: [JSON], _ d: JSON) async throws(Status) {
        guard let limit = d["spec"]["revisionHistoryLimit"].intValue else { return }
        let alive = old.filter { $0["metadata"]["deletionTimestamp"].isNull }
        let excess = alive.count - limit
        guard excess > 0 else { return }
        let byRevision = alive.sorted { ReplicaSetInfo.byRevision(ReplicaSetInfo($0), ReplicaSetInfo($1)) }
        for rs in byRevision.prefix(excess) {
            if (rs["status"]["replicas"].intValue ?? 0) != 0 || (rs["spec"]["replicas"].intValue ?? 1) != 0
                || (rs["metadata"]["generation"].intValue ?? 0) > (rs["status"]["observedGeneration"].intValue ?? 0) { continue }
            do {
                try await client.delete(.replicaSets, namespace: rs["metadata"]["namespace"].stringValue, name: rs["metadata"]["name"].stringValue ?? "",
                                        uid: rs["metadata"]["uid"].stringValue)
            } catch where error.isNotFound {}
        }
    }

    /// The Deployment's `deployment.kubernetes.io/revision` (Kubernetes' `SetDeploymentRevision`).
    func setRevision(_ d: inout JSON, _ revision: String) async throws(Status) {
        guard !revision.isEmpty, Revisions.annotations(d)[Revisions.revision]?.stringValue != revision else { return }
        let patch: JSON = ["metadata": ["resourceVersion": d["metadata"]["resourceVersion"], "annotations": [Revisions.revision: .string(revision)]]]
        d = try await client.patch(.deployments, namespace: d["metadata"]["namespace"].stringValue, name: d["metadata"]["name"].stringValue ?? "", patch)
    }

    /// Writes `status` through the status subresource at the version read.
    func writeStatus(_ d: JSON, _ status: JSON) async throws(Status) -> JSON {
        var updated = d
        updated[path: ["status"]] = status
        return try await client.update(.deployments, updated, status: true)
    }
}
