import Foundation

/// `rollout history` and `rollout undo` for DaemonSets, from their ControllerRevisions, as
/// kubectl's DaemonSetHistoryViewer and DaemonSetRollbacker: each revision's `data` is the
/// patch `{"spec":{"template":{..., "$patch":"replace"}}}` that puts its template back.
extension Rollout {
    /// kubectl's `controlledHistory`: the revisions the DaemonSet's selector picks and that
    /// it controls.
    func controllerRevisions(of ds: JSON) async throws -> [JSON] { try await controlled(.controllerRevisions, by: ds) }

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
        Output.print("\(ref) \n\(Self.historyTable(byRevision))\n")
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
