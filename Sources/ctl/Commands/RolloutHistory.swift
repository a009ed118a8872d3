import Foundation

/// `rollout history` and `rollout undo` for Deployments, from their ReplicaSets' revision
/// annotations, as kubectl's DeploymentHistoryViewer and DeploymentRollbacker (undo is
/// client-side: the ReplicaSet's template goes back into the Deployment).
extension Rollout {
    static let revisionKey = "deployment.kubernetes.io/revision"
    /// Annotations kubectl neither copies from a ReplicaSet nor drops from the Deployment.
    static let kept: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", revisionKey, "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to",
    ]

    /// The Deployment's ReplicaSets (selected by it and controlled by it).
    func replicaSets(of d: JSON) async throws -> [JSON] { try await controlled(.replicaSets, by: d) }

    /// Objects of `type` that `owner`'s selector picks (its matchLabels, as kubectl's history
    /// viewers list them) and that `owner` controls.
    func controlled(_ type: ResourceType, by owner: JSON) async throws -> [JSON] {
        var req = Request(verb: .list, resource: type.plural, namespace: namespace)
        let labels = (owner["spec"]["selector"]["matchLabels"].objectValue ?? JSONObject()).entries
            .compactMap { e in e.value.stringValue.map { "\(e.key)=\($0)" } }
        if !labels.isEmpty { req.labelSelector = labels.joined(separator: ",") }
        let uid = owner["metadata"]["uid"]
        return try await session.listAll(req).items.filter { o in
            (o["metadata"]["ownerReferences"].arrayValue ?? []).contains { $0["controller"] == true && $0["uid"] == uid }
        }
    }

    /// kubectl's history table: `REVISION  CHANGE-CAUSE`, a row per revision in order, the
    /// `kubernetes.io/change-cause` annotation or `<none>`.
    static func historyTable(_ byRevision: [Int: JSON]) -> String {
        var lines = ["REVISION\tCHANGE-CAUSE"]
        for n in byRevision.keys.sorted() {
            let cause = byRevision[n]?["metadata"]["annotations"]["kubernetes.io/change-cause"].stringValue ?? ""
            lines.append("\(n)\t\(cause.isEmpty ? "<none>" : cause)")
        }
        return TabWriter.render(lines)
    }

    static func revision(_ rs: JSON) -> Int? { rs["metadata"]["annotations"][revisionKey].stringValue.flatMap { Int($0) } }

    func history(revision: Int) async throws {
        if type == .daemonSets { return try await daemonSetHistory(revision: revision) }
        guard type == .deployments else { throw CtlError("no history viewer has been implemented for \(type.kind).\(type.group)") }
        let d = try await get()
        var byRevision: [Int: JSON] = [:]
        for rs in try await replicaSets(of: d) { if let r = Self.revision(rs) { byRevision[r] = rs } }
        if byRevision.isEmpty {
            Output.print("\(ref) \nNo rollout history found.\n")
            return
        }
        if revision > 0 {
            guard let rs = byRevision[revision] else { throw CtlError("unable to find the specified revision") }
            var template = rs["spec"]["template"]
            if let cause = rs["metadata"]["annotations"]["kubernetes.io/change-cause"].stringValue {
                template[path: ["metadata", "annotations", "kubernetes.io/change-cause"]] = .string(cause)
            }
            Output.print("\(ref) with revision #\(revision)\n\(TemplateDescriber.describe(template))\n")
            return
        }
        Output.print("\(ref) \n\(Self.historyTable(byRevision))\n")
    }

    func undo(toRevision: Int) async throws {
        if type == .daemonSets { return try await daemonSetUndo(toRevision: toRevision) }
        guard type == .deployments else { throw CtlError("no rollbacker has been implemented for \"\(type.kind).\(type.group)\"") }
        let d = try await get()
        if d["spec"]["paused"].boolValue == true {
            throw CtlError("you cannot rollback a paused deployment; resume it first with 'ctl rollout resume' and try again")
        }
        let all = try await replicaSets(of: d)
        let target: JSON
        if toRevision > 0 {
            guard let rs = all.first(where: { Self.revision($0) == toRevision }) else { throw CtlError("unable to find specified revision \(toRevision) in history") }
            target = rs
        } else {
            // The second highest revision.
            let ranked = all.compactMap { rs in Self.revision(rs).map { ($0, rs) } }.sorted { $0.0 > $1.0 }
            guard ranked.count >= 2 else { throw CtlError("no rollout history found for deployment \"\(name)\"") }
            target = ranked[1].1
        }
        var template = target["spec"]["template"]
        if Self.sameIgnoringHash(template, d["spec"]["template"]) {
            Output.print("\(ref) skipped rollback (current template already matches revision \(toRevision))\n")
            return
        }
        template[path: ["metadata", "labels", "pod-template-hash"]] = .null
        var annotations = JSONObject()
        for (k, v) in d["metadata"]["annotations"].objectValue ?? JSONObject() where Self.kept.contains(k) { annotations[k] = v }
        for (k, v) in target["metadata"]["annotations"].objectValue ?? JSONObject() where !Self.kept.contains(k) { annotations[k] = v }
        var req = Request(verb: .patch, resource: type.plural, namespace: namespace, name: name)
        req.patch = [["op": "replace", "path": "/spec/template", "value": template],
                     ["op": "replace", "path": "/metadata/annotations", "value": .object(annotations)]]
        req.patchType = "json"
        do {
            _ = try await session.call(req)
        } catch {
            throw CtlError("failed restoring revision \(toRevision): \(error.message)")
        }
        Output.print("\(ref) rolled back\n")
    }

    static func sameIgnoringHash(_ a: JSON, _ b: JSON) -> Bool {
        var x = a, y = b
        x[path: ["metadata", "labels", "pod-template-hash"]] = .null
        y[path: ["metadata", "labels", "pod-template-hash"]] = .null
        if x["metadata"]["labels"].objectValue?.isEmpty == true { x[path: ["metadata", "labels"]] = .null }
        if y["metadata"]["labels"].objectValue?.isEmpty == true { y[path: ["metadata", "labels"]] = .null }
        return x == y
    }
}
