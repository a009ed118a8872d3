import Synchronization

/// The graph of ownerReferences among every object the informers see (Kubernetes'
/// GraphBuilder): one node per object, edges from owners to dependents by UID. An owner
/// named by a reference but not seen (yet) is a virtual node, to be checked by a live read.
/// The graph only says what to look at; every decision to delete is made from live reads.
///
/// Thread-safety: any task; each event is applied whole under one lock.
final class OwnerGraph: Sendable {
    private let nodes = Mutex<[String: GraphNode]>([:])

    func node(_ uid: String) -> GraphNode? { nodes.withLock { $0[uid] } }
    var count: Int { nodes.withLock { $0.count } }

    /// An informer saw `object` (of kind `kind`) added or changed.
    func observe(_ object: JSON, kind: UInt8) -> GraphChanges {
        let meta = object["metadata"]
        guard let uid = meta["uid"].stringValue, !uid.isEmpty else { return GraphChanges() }
        let identity = ObjectIdentity(uid: uid, kind: kind, namespace: meta["namespace"].stringValue ?? "", name: meta["name"].stringValue ?? "")
        let owners = OwnerRef.parse(object)
        let finalizers = (meta["finalizers"].arrayValue ?? []).compactMap(\.stringValue)
        let beingDeleted = !meta["deletionTimestamp"].isNull
        return nodes.withLock { all in
            var changes = GraphChanges()
            let before = all[uid]
            var node = before ?? GraphNode(identity: identity, observed: true)
            node.identity = identity
            node.observed = true
            node.owners = owners
            node.beingDeleted = beingDeleted
            node.deletingDependents = beingDeleted && finalizers.contains(DeletionPropagation.foregroundFinalizer)
            node.orphaning = beingDeleted && finalizers.contains(DeletionPropagation.orphanFinalizer)
            all[uid] = node
            Self.updateEdges(&all, uid, identity.namespace, from: before?.owners ?? [], to: owners, &changes)
            if node.orphaning && before?.orphaning != true { changes.attemptToOrphan.append(uid) }
            if node.deletingDependents && before?.deletingDependents != true {
                // Starts waiting for its dependents: each is collected, then the owner.
                changes.attemptToDelete += node.dependents
                changes.attemptToDelete.append(uid)
            }
            return changes
        }
    }

    /// `uid` is gone: an informer saw it deleted, or a live read found it absent (or found
    /// another object, of another UID, under its name).
    func remove(_ uid: String) -> GraphChanges {
        nodes.withLock { all in
            var changes = GraphChanges()
            guard let node = all.removeValue(forKey: uid) else { return changes }
            Self.updateEdges(&all, uid, node.identity.namespace, from: node.owners, to: [], &changes)
            // Its dependents may now have no owner left.
            changes.attemptToDelete += node.dependents
            return changes
        }
    }

    /// Moves `uid`'s edges from the owners `old` to `new`. An owner waiting for its
    /// dependents is looked at again when one stops naming it, or stops blocking it.
    private static func updateEdges(_ all: inout [String: GraphNode], _ uid: String, _ namespace: String,
                                    from old: [OwnerRef], to new: [OwnerRef], _ changes: inout GraphChanges) {
        for ref in old {
            let kept = new.first { $0.uid == ref.uid }
            if let kept, kept.blockOwnerDeletion || !ref.blockOwnerDeletion { continue }
            if all[ref.uid]?.deletingDependents == true { changes.attemptToDelete.append(ref.uid) }
            guard kept == nil else { continue }
            all[ref.uid]?.dependents.remove(uid)
            // A virtual owner no one names any more is forgotten.
            if let owner = all[ref.uid], !owner.observed, owner.dependents.isEmpty { all[ref.uid] = nil }
        }
        for ref in new where !old.contains(where: { $0.uid == ref.uid }) {
            if all[ref.uid] == nil {
                let type = ref.kind.map { CollectedKinds.all[Int($0)] }
                let ownerNamespace = type?.namespaced == false ? "" : namespace
                all[ref.uid] = GraphNode(identity: ObjectIdentity(uid: ref.uid, kind: ref.kind, namespace: ownerNamespace, name: ref.name),
                                         observed: false)
                // Check by a live read whether it exists (a kind not served keeps its dependents).
                if ref.kind != nil { changes.attemptToDelete.append(ref.uid) }
            } else if let owner = all[ref.uid], owner.deletingDependents || (owner.observed && !Self.names(owner.identity, ref, namespace)) {
                // A new dependent of an owner waiting for its dependents, or a reference whose
                // UID belongs to an object it does not describe: look at the dependent.
                changes.attemptToDelete.append(uid)
            }
            all[ref.uid]?.dependents.insert(uid)
        }
    }

    /// True if `ref` (of a dependent in `namespace`) describes the object `owner` is.
    private static func names(_ owner: ObjectIdentity, _ ref: OwnerRef, _ namespace: String) -> Bool {
        owner.name == ref.name && owner.kind == ref.kind && (owner.namespace.isEmpty || owner.namespace == namespace)
    }

    /// The dependents of `uid` whose reference to it has `blockOwnerDeletion`.
    func blockingDependents(of uid: String) -> [GraphNode] {
        nodes.withLock { all in
            (all[uid]?.dependents ?? []).compactMap { d in
                guard let node = all[d], node.owners.contains(where: { $0.uid == uid && $0.blockOwnerDeletion }) else { return nil }
                return node
            }
        }
    }

    /// The dependents of `uid` as the graph knows them.
    func dependents(of uid: String) -> [GraphNode] {
        nodes.withLock { all in (all[uid]?.dependents ?? []).compactMap { all[$0] } }
    }
}
