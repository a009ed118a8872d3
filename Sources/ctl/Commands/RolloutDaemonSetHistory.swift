import Foundation

/// `rollout history` and `rollout undo` for DaemonSets, from their ControllerRevisions, as
/// kubectl's DaemonSetHistoryViewer and DaemonSetRollbacker: each revision's `data` is the
/// patch `{"spec":{"template":{..., "$patch":"replace"}}}` that puts its template back.
extension Rollout {
    /// kubectl's `controlledHistory`: the revisions the DaemonSet's selector picks and that
    /// it controls.
    func controllerRevisions(of ds: JSON) async throws -> [JSON] {
        var req = Request(verb: .list, resource: ResourceType.controllerRevisions.plural, namespace: namespace)
        let labels = (ds["spec"]["selector"]["matchLabels"].objectValue ?? JSONObject()).entries
            .compactMap { e in e.value.stringValue.map { "\(e.key)=\($0)" } }
        if !labels.isEmpty { req.labelSelector = labels.joined(separator: ",") }
        let uid = ds["metadata"]["uid"]
        return try await session.listAll(req).items.filter { r in
            (r["metadata"]["ownerReferences"].arrayValue ?? []).contains { $0["controller"] == true && $0["uid"] == uid }
        }
    }

    /// kubectl's `getDaemonSetPatch`: what a revision holds for the DaemonSet's template now.
    static func daemonSetPatch(_ ds: JSON) -> JSON {
        var template = ds["spec"]["template"]
        template["$patch"] = "replace"
        return ["spec": ["template": template]]
    }

    func daemonSetHistory(revision: Int) async throws {
        let ds = try await get()
        var byRevision: [Int: JSON] = [:]
        for r in try await controllerRevisions(of: ds) { if let n = r["revision"].intValue { byRevision[n] = r } }
        if byRevision.isEmpty {
            Output.print("\(ref) \nNo rollout history found.\n")
            return
        }
        if revision > 0 {
            guard let r = byRevision[revision] else { throw CtlError("unable to find the specified revision") }
            // The DaemonSet with the revision's patch applied: its template replaced whole.
            let applied = try ds.applyingStrategicMergePatch(r["data"])
            Output.print("\(ref) with revision #\(revision)\n\(TemplateDescriber.describe(applied["spec"]["template"]))\n")
            return
        }
        var lines = ["REVISION\tCHANGE-CAUSE"]
        for n in byRevision.keys.sorted() {
            let cause = byRevision[n]?["metadata"]["annotations"]["kubernetes.io/change-cause"].stringValue ?? ""
            lines.append("\(n)\t\(cause.isEmpty ? "<none>" : cause)")
        }
        Output.print("\(ref) \n\(TabWriter.render(lines))\n")
    }

    func daemonSetUndo(toRevision: Int) async throws {
        if toRevision < 0 { throw CtlError("unable to find specified revision \(toRevision) in history") }
        let ds = try await get()
        let all = try await controllerRevisions(of: ds).sorted { ($0["revision"].intValue ?? 0) < ($1["revision"].intValue ?? 0) }
        if toRevision == 0 && all.count <= 1 { throw CtlError("no last revision to roll back to") }
        // 0: the revision before the current (the second highest).
        guard let target = toRevision == 0 ? all[all.count - 2] : all.first(where: { $0["revision"].intValue == toRevision }) else {
            throw CtlError("unable to find specified revision \(toRevision) in history")
        }
        if target["data"] == Self.daemonSetPatch(ds) {
            Output.print("\(ref) skipped rollback (current template already matches revision \(toRevision))\n")
            return
        }
        do {
            _ = try await strategicPatch(target["data"])
        } catch {
            throw CtlError("failed restoring revision \(toRevision): \((error as? Status)?.message ?? "\(error)")")
        }
        Output.print("\(ref) rolled back\n")
    }
}
