extension APIService {
    func delete(_ req: Request, user: User, respond: @escaping Responder) throws(Status) {
        let t = try target(req, needsNamespace: true)
        let name = try requireName(req)
        if let p = req.propagationPolicy, !["Background", "Foreground", "Orphan"].contains(p) {
            throw Status.badRequest("propagationPolicy \"\(p)\" is not one of Background, Foreground, Orphan")
        }
        let key = t.key(name)
        let uid = req.preconditionUID, resourceVersion = req.preconditionResourceVersion, grace = req.gracePeriodSeconds
        guaranteedUpdate(t, key, dryRun: req.dryRun, respond: respond) { cur, old throws(Status) -> PreparedChange in
            try Self.checkNodeOwnsPod(user, t, old)
            return try Self.prepareDelete(t, key, current: cur, old: old, uid: uid, resourceVersion: resourceVersion, gracePeriodSeconds: grace)
        }
    }

    /// Deletes now, or marks the object for deletion while finalizers hold it (or, for a
    /// pod, while its kubelet stops it: `GracefulDeletion`).
    static func prepareDelete(_ t: Target, _ key: ObjectKey, current: StoredObject, old: JSON,
                              uid: String?, resourceVersion: String?, gracePeriodSeconds: Int? = nil) throws(Status) -> PreparedChange {
        let meta = old["metadata"]
        if t.type == .namespaces && NamespaceStrategy.immortal.contains(key.name) {
            throw Status.forbidden("namespaces \"\(key.name)\" is forbidden: this namespace may not be deleted")
        }
        if let uid, uid != meta["uid"].stringValue {
            throw Status.conflict(resource: t.type.plural, name: key.name, group: t.type.group,
                                  "Precondition failed: UID in precondition: \(uid), UID in object meta: \(meta["uid"].stringValue ?? "")")
        }
        if let rv = resourceVersion, rv != String(current.modRevision) {
            throw Status.conflict(resource: t.type.plural, name: key.name, group: t.type.group,
                                  "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.modRevision)")
        }
        if t.type == .pods {
            let grace = GracefulDeletion.gracePeriod(old, requested: gracePeriodSeconds)
            return GracefulDeletion.prepare(current: current, old: old, grace: grace)
        }
        if t.strategy.readyToDelete(old) { return .delete(EncodedObject(old), warnings: []) }
        if !meta["deletionTimestamp"].isNull {
            return .unchanged(WriteOutcome(bytes: current.bytes, revision: current.modRevision, wrote: false))
        }
        var marked = old
        marked[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.now())
        marked[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
        t.strategy.beginDeletion(&marked)
        return .put(EncodedObject(marked), old: old, warnings: [])
    }

    /// Deletes every object the selectors match, one write each; answers with the list of
    /// what was deleted, or, when that list would not fit in one frame of `replyLimit`
    /// bytes, with the list's metadata only and a warning saying how many were deleted.
    func deleteCollection(_ req: Request, replyLimit: Int) async throws(Status) -> Reply {
        let t = try target(req, needsNamespace: false)
        let f = try filter(req, t)
        let store = self.store
        let page = try await store.blocking.perform { () throws(Status) -> ListPage in
            try store.list(t.range) { o throws(Status) -> Bool in
                if f.isTrivial { return true }
                return f.matches(try o.json())
            }
        }
        var deleted: [[UInt8]] = []
        for item in page.items {
            guard let key = ObjectKey(path: item.key) else { continue }
            // The system namespaces are never deleted; a collection delete passes them over.
            if t.type == .namespaces && NamespaceStrategy.immortal.contains(key.name) { continue }
            let kt = Target(strategy: t.strategy, namespace: key.namespace)
            let reply: Reply = await withCheckedContinuation { c in
                guaranteedUpdate(kt, key, dryRun: req.dryRun, respond: { c.resume(returning: $0) }) { cur, old throws(Status) -> PreparedChange in
                    try Self.prepareDelete(kt, key, current: cur, old: old, uid: nil, resourceVersion: nil)
                }
            }
            switch reply {
            case .encoded(let bytes, _): deleted.append(bytes)
            case .object(let o, _): deleted.append(o.bytes())
            case .failure(let s) where s.isNotFound: continue
            case .failure(let s): throw s
            case .streaming: continue
            }
        }
        let meta: JSON = ["resourceVersion": .string(String(store.revision))]
        let size = deleted.reduce(0) { $0 + $1.count + 1 }
        if size > replyLimit - Self.listEnvelopeBytes {
            return .encoded(Self.encodeList(t.type, meta: meta, items: []),
                            warnings: ["deleted \(deleted.count) \(t.type.plural); the list of them (\(size) bytes) is too large for one frame and is left out"])
        }
        return .encoded(Self.encodeList(t.type, meta: meta, items: deleted), warnings: [])
    }
}
