/// Kubernetes' `attemptToDeleteItem`: whether one object goes, from live reads of it and of
/// its owners.
extension GarbageCollector {
    /// How one owner reference stands, by a live read of the owner.
    enum OwnerState {
        /// The owner exists (or is of a kind Skiff does not serve, which keeps it).
        case solid
        /// No object of that name has that UID.
        case dangling
        /// The owner exists and is being deleted in the foreground.
        case waitingForDependentsDeletion
    }

    func attemptToDelete(_ uid: String, _ queues: Queues) async throws(Status) -> Outcome {
        guard let node = graph.node(uid) else { return .done }
        // Being deleted is a one-way trip; its dependents are looked at once it is gone.
        if node.beingDeleted && !node.deletingDependents { return .done }
        guard let type = node.identity.type else { return .done }
        let id = node.identity
        // A namespaced owner named by a cluster-scoped object has nowhere to be looked up.
        if type.namespaced && id.namespace.isEmpty { return .done }
        guard let latest = try await client.getIfPresent(type, namespace: id.namespaceArgument, name: id.name),
              latest["metadata"]["uid"].stringValue == uid else {
            // Gone, or another object took the name: its dependents are looked at.
            queues.add(graph.remove(uid))
            return .done
        }
        // A virtual node whose object exists: wait until an informer sees it.
        if !node.observed { return .requeue }
        if node.deletingDependents { return try await finishForegroundDeletion(node, queues) }
        var refs = OwnerRef.parse(latest)
        // References to owners this collector orphaned go, as the orphaning meant.
        let orphaned = refs.filter { orphanedOwners.contains($0.uid) }
        if !orphaned.isEmpty {
            try await removeOwnerReferences(orphaned.map(\.uid), from: id)
            refs.removeAll { orphanedOwners.contains($0.uid) }
        }
        if refs.isEmpty { return .done }
        var solid: [OwnerRef] = [], dangling: [OwnerRef] = [], waiting: [OwnerRef] = []
        for ref in refs {
            switch try await ownerState(ref, dependentNamespace: id.namespace) {
            case .solid: solid.append(ref)
            case .dangling: dangling.append(ref)
            case .waitingForDependentsDeletion: waiting.append(ref)
            }
        }
        if !solid.isEmpty {
            // An owner is left: only the references to gone (or going) owners go.
            let gone = (dangling + waiting).map(\.uid)
            if !gone.isEmpty { try await removeOwnerReferences(gone, from: id) }
            return .done
        }
        let dependents = graph.dependents(of: uid)
        if !waiting.isEmpty && !dependents.isEmpty {
            // A dependent that waits for its own dependents in turn: deleted in the foreground.
            // A cycle of owners waiting for each other is broken by no longer blocking.
            if dependents.contains(where: \.deletingDependents) {
                let blocking: [JSON] = refs.filter(\.blockOwnerDeletion).map { ["uid": .string($0.uid), "blockOwnerDeletion": false] }
                if !blocking.isEmpty { try await patchOwnerReferences(id, blocking) }
            }
            try await delete(id, policy: "Foreground")
            return .done
        }
        // No owner left: collected, honouring a propagation finalizer it already carries.
        let finalizers = (latest["metadata"]["finalizers"].arrayValue ?? []).compactMap(\.stringValue)
        let policy = finalizers.contains(DeletionPropagation.orphanFinalizer) ? "Orphan"
            : finalizers.contains(DeletionPropagation.foregroundFinalizer) ? "Foreground" : "Background"
        try await delete(id, policy: policy)
        return .done
    }

    /// An owner being deleted in the foreground goes (its finalizer is removed) once no
    /// dependent that blocks it is left in storage; until then those dependents are deleted.
    func finishForegroundDeletion(_ node: GraphNode, _ queues: Queues) async throws(Status) -> Outcome {
        let blocking = graph.blockingDependents(of: node.identity.uid)
        if blocking.isEmpty {
            try await removeFinalizer(DeletionPropagation.foregroundFinalizer, from: node.identity)
            return .done
        }
        // Each dependent's deletion (seen by an informer) brings the owner back here.
        for d in blocking where !d.deletingDependents { queues.attemptToDelete.add(d.identity.uid) }
        return .done
    }

    /// Kubernetes' `isDangling`: a live read of the owner in the dependent's namespace (a
    /// cluster-scoped owner cluster-wide), compared by UID.
    func ownerState(_ ref: OwnerRef, dependentNamespace: String) async throws(Status) -> OwnerState {
        guard let kind = ref.kind else { return .solid }
        let type = CollectedKinds.all[Int(kind)]
        // A cluster-scoped object cannot be owned by a namespaced one: left alone.
        if type.namespaced && dependentNamespace.isEmpty { return .solid }
        let namespace = type.namespaced ? dependentNamespace : ""
        // Kubernetes' absentOwnerCache key: the reference (uid, kind, name) and where it was
        // looked up. By UID alone, a bad reference from another namespace would make a live
        // owner "absent" for its real dependents.
        let absentKey = "\(ref.uid)/\(kind)/\(namespace)/\(ref.name)"
        if absentOwners.contains(absentKey) { return .dangling }
        guard let owner = try await client.getIfPresent(type, namespace: type.namespaced ? dependentNamespace : nil, name: ref.name),
              owner["metadata"]["uid"].stringValue == ref.uid else {
            absentOwners.add(absentKey)
            return .dangling
        }
        let meta = owner["metadata"]
        if !meta["deletionTimestamp"].isNull && (meta["finalizers"].arrayValue ?? []).contains(.string(DeletionPropagation.foregroundFinalizer)) {
            return .waitingForDependentsDeletion
        }
        return .solid
    }

    /// Deletes `id` if it is still the object of that UID.
    func delete(_ id: ObjectIdentity, policy: String) async throws(Status) {
        guard let type = id.type else { return }
        do {
            try await client.delete(type, namespace: id.namespaceArgument, name: id.name, uid: id.uid, propagationPolicy: policy)
            logger.debug("garbage collector deleted an object", metadata: ["object": .string("\(type.plural)/\(id.namespace)/\(id.name)"),
                                                                          "propagationPolicy": .string(policy)])
        } catch where error.isNotFound {
        }
    }
}
