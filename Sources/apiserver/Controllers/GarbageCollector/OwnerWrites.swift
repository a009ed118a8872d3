/// The collector's writes to owners and dependents, each safe against concurrent change:
/// a reference patch names the dependent's UID, a finalizer removal its resourceVersion.
extension GarbageCollector {
    /// Kubernetes' `attemptToOrphan`: removes the owner's reference from every dependent,
    /// then the `orphan` finalizer, so the dependents are ownerless before the owner goes.
    func attemptToOrphan(_ uid: String) async throws(Status) -> Outcome {
        guard let node = graph.node(uid), node.orphaning else { return .done }
        for d in graph.dependents(of: uid) {
            try await patchOwnerReferences(d.identity, [["$patch": "delete", "uid": .string(uid)]])
        }
        try await removeFinalizer(DeletionPropagation.orphanFinalizer, from: node.identity)
        return .done
    }

    /// A strategic merge patch of `id`'s ownerReferences (merged by UID), with `id`'s UID as
    /// precondition; an object gone or replaced meanwhile is left alone.
    func patchOwnerReferences(_ id: ObjectIdentity, _ items: [JSON]) async throws(Status) {
        guard let type = id.type else { return }
        var req = Request(verb: .patch, resource: type.plural, namespace: id.namespaceArgument, name: id.name)
        req.patch = ["metadata": ["uid": .string(id.uid), "ownerReferences": .array(items)]]
        req.patchType = "strategic"
        do {
            _ = try await client.request(req)
        } catch where error.isNotFound || error.code == 409 {
        }
    }

    /// Removes `finalizer` from `id` (a merge patch with its resourceVersion, read again on
    /// conflict); nothing if it is gone, replaced or without that finalizer.
    func removeFinalizer(_ finalizer: String, from id: ObjectIdentity) async throws(Status) {
        guard let type = id.type else { return }
        for attempt in 1...5 {
            guard let o = try await client.getIfPresent(type, namespace: id.namespaceArgument, name: id.name),
                  o["metadata"]["uid"].stringValue == id.uid else { return }
            let finalizers = o["metadata"]["finalizers"].arrayValue ?? []
            guard finalizers.contains(.string(finalizer)) else { return }
            let rest = finalizers.filter { $0 != .string(finalizer) }
            let patch: JSON = ["metadata": ["resourceVersion": o["metadata"]["resourceVersion"], "finalizers": rest.isEmpty ? .null : .array(rest)]]
            do {
                _ = try await client.patch(type, namespace: id.namespaceArgument, name: id.name, patch)
                return
            } catch where error.isNotFound {
                return
            } catch where error.code == 409 && attempt < 5 {
                continue
            }
        }
    }
}
