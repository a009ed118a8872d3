import ControllerRuntime
import Wire

/// A DaemonSet's ControllerRevisions (Kubernetes' `constructHistory`, `dedupCurHistories`,
/// `snapshot` and `cleanupHistory`): one per distinct template, named `<ds>-<hash>`, owned by
/// the DaemonSet. The current template's revision has the highest `revision`: a new template
/// gets max+1; going back to an old template raises that old revision's number (how
/// `rollout undo` works). Its `controller-revision-hash` label is the hash daemon pods carry.
extension DaemonSetSync {
    /// The current revision (created or renumbered as needed) and the others.
    func constructHistory(_ ds: JSON, selector: LabelSelector) async throws(Status) -> (current: JSON, old: [JSON]) {
        var current: [JSON] = [], old: [JSON] = []
        let patch = DaemonHistory.patch(of: ds)
        for var h in await controlledHistories(ds, selector: selector) {
            // The hash label is the name when missing (Kubernetes: no hash to recompute).
            if h["metadata"]["labels"][DaemonPods.revisionHashLabel].isNull {
                h[path: ["metadata", "labels", DaemonPods.revisionHashLabel]] = h["metadata"]["name"]
                h = try await client.update(.controllerRevisions, h)
            }
            if h["data"] == patch { current.append(h) } else { old.append(h) }
        }
        // Revisions are int64 and a client may write any of them: at the top there is no next.
        let (next, exhausted) = (old.compactMap { $0["revision"].intValue }.max() ?? 0).addingReportingOverflow(1)
        if exhausted { throw Status.internalError("no revision number is left above \(Int.max) for a new ControllerRevision") }
        guard !current.isEmpty else { return (try await snapshot(ds, revision: next), old) }
        var cur = try await dedup(ds, current)
        if (cur["revision"].intValue ?? 0) < next {
            cur["revision"] = .int(next)
            cur = try await client.update(.controllerRevisions, cur)
        }
        return (cur, old)
    }

    /// `controlledHistories`: every revision in the namespace the DaemonSet controls (adopting
    /// matching orphans, releasing its own that no longer match).
    func controlledHistories(_ ds: JSON, selector: LabelSelector) async -> [JSON] {
        let candidates = revisions.indexer.byIndex(Indexes.namespace, ds["metadata"]["namespace"].stringValue ?? "")
        return await Claims(client: client, owner: ds, ownerType: .daemonSets, dependentType: .controllerRevisions, selector: selector)
            .claim(candidates)
    }

    /// `dedupCurHistories`: of several revisions holding the current template, keep the highest
    /// numbered; relabel pods carrying another one's hash, then delete the others.
    func dedup(_ ds: JSON, _ current: [JSON]) async throws(Status) -> JSON {
        guard var keep = current.first else { throw Status.internalError("no current revision") }
        for h in current where (h["revision"].intValue ?? 0) >= (keep["revision"].intValue ?? 0) { keep = h }
        let hash = keep["metadata"]["labels"][DaemonPods.revisionHashLabel]
        let ns = ds["metadata"]["namespace"].stringValue
        let duplicates = current.filter { $0["metadata"]["name"] != keep["metadata"]["name"] }
        guard !duplicates.isEmpty else { return keep }
        // Relabel once (the cache does not change during the sync), then drop the others.
        let uid = ds["metadata"]["uid"].stringValue ?? ""
        for p in pods.indexer.byIndex(Indexes.ownerUID, uid) where ControllerRefs.isControlled(p, byUID: uid) {
            guard p["metadata"]["labels"][DaemonPods.revisionHashLabel] != hash else { continue }
            var patch = JSON.object(JSONObject())
            patch[path: ["metadata", "labels", DaemonPods.revisionHashLabel]] = hash
            _ = try await client.patch(.pods, namespace: ns, name: p["metadata"]["name"].stringValue ?? "", patch)
        }
        for h in duplicates { try await deleteRevision(h) }
        return keep
    }

    /// `snapshot`: creates the revision of the current template. A revision of that name
    /// holding another template is a hash collision: `status.collisionCount` goes up (so the
    /// next sync hashes anew) and the sync fails, to be retried.
    func snapshot(_ ds: JSON, revision: Int) async throws(Status) -> JSON {
        let revisionObject = DaemonHistory.revision(of: ds, number: revision)
        let ns = ds["metadata"]["namespace"].stringValue, name = revisionObject["metadata"]["name"].stringValue ?? ""
        do {
            return try await client.create(.controllerRevisions, namespace: ns, revisionObject)
        } catch where error.isAlreadyExists {
            let existing = try await client.get(.controllerRevisions, namespace: ns, name: name)
            if existing["data"] == revisionObject["data"] { return existing }
            var live = try await client.get(.daemonSets, namespace: ns, name: ds["metadata"]["name"].stringValue ?? "")
            guard live["status"]["collisionCount"] == ds["status"]["collisionCount"] else {
                throw Status.conflict(resource: "daemonsets", name: ds["metadata"]["name"].stringValue ?? "", group: "apps",
                                      "found a stale collision count; will retry until it is updated")
            }
            live[path: ["status", "collisionCount"]] = .int((ds["status"]["collisionCount"].intValue ?? 0) + 1)
            _ = try await client.update(.daemonSets, live, status: true)
            throw error
        }
    }

    /// `cleanupHistory`: old revisions beyond `revisionHistoryLimit`, lowest number first,
    /// skipping those whose hash a pod of the DaemonSet still carries.
    func cleanupHistory(_ ds: JSON, old: [JSON], byNode: [String: [JSON]]) async throws(Status) {
        var toKill = old.count - max(0, ds["spec"]["revisionHistoryLimit"].intValue ?? 10)
        guard toKill > 0 else { return }
        let liveHashes = Set(byNode.values.joined().compactMap { $0["metadata"]["labels"][DaemonPods.revisionHashLabel].stringValue })
        for h in old.sorted(by: { ($0["revision"].intValue ?? 0) < ($1["revision"].intValue ?? 0) }) where toKill > 0 {
            if let hash = h["metadata"]["labels"][DaemonPods.revisionHashLabel].stringValue, liveHashes.contains(hash) { continue }
            try await deleteRevision(h)
            toKill -= 1
        }
    }

    private func deleteRevision(_ h: JSON) async throws(Status) {
        do {
            try await client.delete(.controllerRevisions, namespace: h["metadata"]["namespace"].stringValue,
                                    name: h["metadata"]["name"].stringValue ?? "", uid: h["metadata"]["uid"].stringValue)
        } catch where error.isNotFound {}
    }
}

/// What a DaemonSet's ControllerRevision holds.
enum DaemonHistory {
    /// Kubernetes' `getPatch`: `{"spec":{"template":{...,"$patch":"replace"}}}`.
    static func patch(of ds: JSON) -> JSON {
        var template = ds["spec"]["template"]
        template["$patch"] = "replace"
        return ["spec": ["template": template]]
    }

    /// The hash naming the revision: Skiff's `TemplateHash` of the template with the
    /// DaemonSet's `status.collisionCount` (Kubernetes' `ComputeHash`; the values differ).
    static func hash(of ds: JSON) -> String {
        TemplateHash.of(ds["spec"]["template"], collisionCount: ds["status"]["collisionCount"].intValue)
    }

    /// Kubernetes' `snapshot` object: the template's labels plus the hash label, the
    /// DaemonSet's annotations (`kubernetes.io/change-cause` among them), a controller reference.
    static func revision(of ds: JSON, number: Int) -> JSON {
        let hash = hash(of: ds)
        var labels = ds["spec"]["template"]["metadata"]["labels"].objectValue ?? JSONObject()
        labels[DaemonPods.revisionHashLabel] = .string(hash)
        var meta: JSON = ["name": .string("\(ds["metadata"]["name"].stringValue ?? "")-\(hash)"), "namespace": ds["metadata"]["namespace"],
                          "labels": .object(labels), "ownerReferences": [ControllerRefs.controllerRef(to: ds, .daemonSets)]]
        if !ds["metadata"]["annotations"].isNull { meta["annotations"] = ds["metadata"]["annotations"] }
        return ["apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta, "data": patch(of: ds), "revision": .int(number)]
    }
}
