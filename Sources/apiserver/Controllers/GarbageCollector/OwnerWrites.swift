/// The collector's writes to owners and dependents, each safe against concurrent change:
/// each names the object's UID (and a removal its resourceVersion, read again on conflict).
extension GarbageCollector {
    /// Kubernetes' `attemptToOrphan`: removes the owner's reference from every dependent,
    /// then the `orphan` finalizer, so the dependents are ownerless before the owner goes.
    func attemptToOrphan(_ uid: String) async throws(Status) -> Outcome {
        guard let node = graph.node(uid), node.orphaning else { return .done }
        orphanedOwners.add(uid)
        for d in graph.dependents(of: uid) {
            try await removeOwnerReferences([uid], from: d.identity)
        }
        try await removeFinalizer(DeletionPropagation.orphanFinalizer, from: node.identity)
        return .done
    }

    /// A strategic merge patch of `id`'s ownerReferences (merged by UID), with `id`'s UID as
    /// precondition; an object gone or replaced meanwhile is left alone.
    func patchOwnerReferences(_ id: ObjectIdentity, _ items: [JSON]) async throws(Status) {
        guard let type = id.type else { return }
        do {
            _ = try await client.patch(type, namespace: id.namespaceArgument, name: id.name,
                                       ["metadata": ["uid": .string(id.uid), "ownerReferences": .array(items)]], patchType: "strategic")
        } catch where error.isNotFound || error.code == 409 {
        }
    }

    /// Removes the references to `owners` from `id` (a merge patch with its resourceVersion,
    /// read again on conflict; the last reference gone, the field goes, as in Kubernetes).
    func removeOwnerReferences(_ owners: [String], from id: ObjectIdentity) async throws(Status) {
        try await rewrite(id) { o -> JSON? in
            let refs = o["metadata"]["ownerReferences"].arrayValue ?? []
            let rest = refs.filter { !owners.contains($0["uid"].stringValue ?? "") }
            if rest.count == refs.count { return nil }
            return ["ownerReferences": rest.isEmpty ? .null : .array(rest)]
        }
    }

    /// Removes `finalizer` from `id`; nothing if it is gone, replaced or without that finalizer.
    func removeFinalizer(_ finalizer: String, from id: ObjectIdentity) async throws(Status) {
        try await rewrite(id) { o -> JSON? in
            let finalizers = o["metadata"]["finalizers"].arrayValue ?? []
            guard finalizers.contains(.string(finalizer)) else { return nil }
            let rest = finalizers.filter { $0 != .string(finalizer) }
            return ["finalizers": rest.isEmpty ? .null : .array(rest)]
        }
    }

    /// Reads `id` live and merge-patches the metadata `change` computes from it (nil: none),
    /// with the UID and resourceVersion read as preconditions; on conflict reads again.
    private func rewrite(_ id: ObjectIdentity, _ change: (JSON) -> JSON?) async throws(Status) {
        guard let type = id.type else { return }
        for attempt in 1...5 {
            guard let o = try await client.getIfPresent(type, namespace: id.namespaceArgument, name: id.name),
                  o["metadata"]["uid"].stringValue == id.uid, var meta = change(o) else { return }
            meta["uid"] = .string(id.uid)
            meta["resourceVersion"] = o["metadata"]["resourceVersion"]
            do {
                _ = try await client.patch(type, namespace: id.namespaceArgument, name: id.name, ["metadata": meta])
                return
            } catch where error.isNotFound {
                return
            } catch where error.code == 409 && attempt < 5 {
                continue
            }
        }
    }
}
