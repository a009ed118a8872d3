extension APIService {
    func delete(_ req: Request, user: User, respond: @escaping Responder) throws(Status) {
        let t = try target(req, needsNamespace: true)
        let name = try requireName(req)
        try DeletionPropagation.check(req.propagationPolicy)
        let key = t.key(name)
        let options = DeleteOptions(uid: req.preconditionUID, resourceVersion: req.preconditionResourceVersion,
                                    gracePeriodSeconds: req.gracePeriodSeconds, propagationPolicy: req.propagationPolicy)
        guaranteedUpdate(t, key, dryRun: req.dryRun, respond: respond) { cur, old throws(Status) -> PreparedChange in
            try Self.checkNodeOwnsPod(user, t, old)
            return try Self.prepareDelete(t, key, current: cur, old: old, options: options)
        }
    }

    /// A delete request's options.
    struct DeleteOptions: Sendable {
        var uid: String?
        var resourceVersion: String?
        var gracePeriodSeconds: Int?
        var propagationPolicy: String?
    }

    /// Kubernetes' generic `Store.Delete`: deletes now, or marks the object for deletion
    /// (`deletionTimestamp`) while finalizers hold it or, for a pod, while its kubelet stops
    /// it (`GracefulDeletion`). The propagation policy first puts on or takes off the
    /// garbage collector's finalizers (`DeletionPropagation`), so an `Orphan` or
    /// `Foreground` delete always leaves the object visible, marked, until the collector
    /// has done its part.
    static func prepareDelete(_ t: Target, _ key: ObjectKey, current: StoredObject, old: JSON,
                              options: DeleteOptions) throws(Status) -> PreparedChange {
        let meta = old["metadata"]
        if t.type == .namespaces && NamespaceStrategy.immortal.contains(key.name) {
            throw Status.forbidden("namespaces \"\(key.name)\" is forbidden: this namespace may not be deleted")
        }
        if let uid = options.uid, uid != meta["uid"].stringValue {
            throw Status.conflict(resource: t.type.plural, name: key.name, group: t.type.group,
                                  "Precondition failed: UID in precondition: \(uid), UID in object meta: \(meta["uid"].stringValue ?? "")")
        }
        if let rv = options.resourceVersion, rv != String(current.modRevision) {
            throw Status.conflict(resource: t.type.plural, name: key.name, group: t.type.group,
                                  "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.modRevision)")
        }
        let warnings = DeletionPropagation.warnings(t.strategy, policy: options.propagationPolicy)
        let unchanged = PreparedChange.unchanged(WriteOutcome(bytes: current.bytes, revision: current.modRevision, wrote: false, warnings: warnings))
        let now = Timestamp.nowSeconds()
        var graceful: (deadline: Double, grace: Int)?
        if t.type == .pods {
            switch GracefulDeletion.decide(old, requested: options.gracePeriodSeconds, now: now) {
            case .pending: return unchanged
            case .mark(let deadline, let grace): graceful = (deadline, grace)
            case .notGraceful: break
            }
        }
        var marked = old
        // A namespace already terminating keeps its finalizers as they are (Kubernetes'
        // namespace storage sets them only on the first delete).
        if !(t.type == .namespaces && !meta["deletionTimestamp"].isNull),
           let finalizers = DeletionPropagation.finalizers(of: old, policy: options.propagationPolicy, strategy: t.strategy) {
            marked[path: ["metadata", "finalizers"]] = finalizers.isEmpty ? .null : .array(finalizers)
        }
        let held = !t.strategy.readyToDelete(marked)
        let firstMark = meta["deletionTimestamp"].isNull
        if let (deadline, grace) = graceful {
            if !held && grace == 0 { return .delete(EncodedObject(old), warnings: warnings) }
            marked[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.format(deadline))
            marked[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(grace)
        } else {
            if !held { return .delete(EncodedObject(old), warnings: warnings) }
            // Kubernetes' markAsDeleting: the earlier of the existing mark and now, grace 0.
            let since = meta["deletionTimestamp"].stringValue.flatMap(Timestamp.parse)
            if since.map({ $0 > now }) ?? true { marked[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.format(now)) }
            marked[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
        }
        // The first mark counts as a change of an object that tracks its generation.
        if firstMark, let generation = meta["generation"].intValue, generation > 0 {
            marked[path: ["metadata", "generation"]] = .int(generation + 1)
        }
        if firstMark { t.strategy.beginDeletion(&marked) }
        if marked == old { return unchanged }
        return .put(EncodedObject(marked), old: old, warnings: warnings)
    }

    /// Deletes every object the selectors match, one write each; answers with the list of
    /// what was deleted, or, when that list would not fit in one frame of `replyLimit`
    /// bytes, with the list's metadata only and a warning saying how many were deleted.
    func deleteCollection(_ req: Request, replyLimit: Int) async throws(Status) -> Reply {
        let t = try target(req, needsNamespace: false)
        let f = try filter(req, t)
        try DeletionPropagation.check(req.propagationPolicy)
        let options = DeleteOptions(gracePeriodSeconds: req.gracePeriodSeconds, propagationPolicy: req.propagationPolicy)
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
                    try Self.prepareDelete(kt, key, current: cur, old: old, options: options)
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
        let warnings = DeletionPropagation.warnings(t.strategy, policy: req.propagationPolicy)
        let size = deleted.reduce(0) { $0 + $1.count + 1 }
        if size > replyLimit - Self.listEnvelopeBytes {
            return .encoded(Self.encodeList(t.type, meta: meta, items: []),
                            warnings: warnings + ["deleted \(deleted.count) \(t.type.plural); the list of them (\(size) bytes) is too large for one frame and is left out"])
        }
        return .encoded(Self.encodeList(t.type, meta: meta, items: deleted), warnings: warnings)
    }
}
