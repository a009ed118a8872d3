extension APIService {
    func delete(_ req: Request, user: User, respond: @escaping Responder) throws(Status) {
        let t = try target(req, needsNamespace: true)
        let name = try requireName(req)
        if let p = req.propagationPolicy, !["Background", "Foreground", "Orphan"].contains(p) {
            throw Status.badRequest("propagationPolicy \"\(p)\" is not one of Background, Foreground, Orphan")
        }
        write(respond: respond) { tx throws(Status) -> WriteOutcome in
            let key = t.key(name)
            guard let cur = try tx.get(key) else { throw Status.notFound(resource: t.type.plural, name: name, group: t.type.group) }
            let old = try cur.json()
            try Self.checkNodeOwnsPod(user, t, old)
            return try Self.deleteInBatch(tx, t, key, current: cur, old: old,
                                          uid: req.preconditionUID, resourceVersion: req.preconditionResourceVersion)
        }
    }

    /// Deletes now, or marks the object for deletion while finalizers hold it.
    static func deleteInBatch(_ tx: WriteTransaction, _ t: Target, _ key: ObjectKey, current: StoredObject, old: JSON,
                              uid: String?, resourceVersion: String?) throws(Status) -> WriteOutcome {
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
        if t.strategy.readyToDelete(old) {
            let gone = try tx.delete(key, previous: current, lastState: old)
            return WriteOutcome(bytes: gone.bytes, revision: gone.modRevision)
        }
        if !meta["deletionTimestamp"].isNull {
            return WriteOutcome(bytes: current.bytes, revision: current.modRevision, wrote: false)
        }
        var marked = old
        marked[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.now())
        marked[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
        t.strategy.beginDeletion(&marked)
        let stored = try tx.put(key, marked, previous: current, previousJSON: old)
        return WriteOutcome(bytes: stored.bytes, revision: stored.modRevision)
    }

    /// Deletes every object the selectors match, one write each; answers with the list of
    /// what was deleted.
    func deleteCollection(_ req: Request) async throws(Status) -> Reply {
        let t = try target(req, needsNamespace: false)
        let f = try filter(req, t)
        let page = try store.list(t.range) { o throws(Status) -> Bool in
            if f.isTrivial { return true }
            return f.matches(try o.json())
        }
        var deleted: [[UInt8]] = []
        for item in page.items {
            guard let key = ObjectKey(path: item.key) else { continue }
            // The system namespaces are never deleted; a collection delete passes them over.
            if t.type == .namespaces && NamespaceStrategy.immortal.contains(key.name) { continue }
            let kt = Target(strategy: t.strategy, namespace: key.namespace)
            do {
                let out = try await store.mutate { tx throws(Status) -> WriteOutcome in
                    guard let cur = try tx.get(key) else { throw Status.notFound(resource: t.type.plural, name: key.name) }
                    return try Self.deleteInBatch(tx, kt, key, current: cur, old: try cur.json(), uid: nil, resourceVersion: nil)
                }
                deleted.append(out.bytes)
            } catch where error.isNotFound {
                continue
            }
        }
        let meta: JSON = ["resourceVersion": .string(String(store.revision))]
        return .encoded(Self.encodeList(t.type, meta: meta, items: deleted), warnings: [])
    }
}
