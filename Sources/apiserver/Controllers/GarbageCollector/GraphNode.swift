/// The kinds the garbage collector watches and can look owners up in: every kind served.
/// Nodes and references name a kind by its index here (one byte, not a `ResourceType`).
enum CollectedKinds {
    static let all: [ResourceType] = Registry.standard.served
    private static let byGroupKind: [String: UInt8] = Dictionary(uniqueKeysWithValues: all.enumerated().map { ("\($1.group)/\($1.kind)", UInt8($0)) })

    /// The index of the served kind `apiVersion`/`kind` names (its group, any version); nil
    /// for a kind Skiff does not serve.
    static func index(kind: String, apiVersion: String) -> UInt8? {
        let group = apiVersion.firstIndex(of: "/").map { String(apiVersion[..<$0]) } ?? ""
        return byGroupKind["\(group)/\(kind)"]
    }

    static func index(of type: ResourceType) -> UInt8? { byGroupKind["\(type.group)/\(type.kind)"] }
}

/// One `metadata.ownerReferences` entry, as much of it as the collector needs.
struct OwnerRef: Equatable, Sendable {
    let uid: String
    let name: String
    /// Index into `CollectedKinds.all`; nil: a kind Skiff does not serve.
    let kind: UInt8?
    let blockOwnerDeletion: Bool

    static func parse(_ object: JSON) -> [OwnerRef] {
        (object["metadata"]["ownerReferences"].arrayValue ?? []).compactMap { r in
            guard let uid = r["uid"].stringValue, let name = r["name"].stringValue else { return nil }
            return OwnerRef(uid: uid, name: name, kind: index(r), blockOwnerDeletion: r["blockOwnerDeletion"].boolValue ?? false)
        }
    }

    private static func index(_ r: JSON) -> UInt8? {
        CollectedKinds.index(kind: r["kind"].stringValue ?? "", apiVersion: r["apiVersion"].stringValue ?? "")
    }
}

/// Where an object is: enough to read it live and to write it.
struct ObjectIdentity: Equatable, Sendable {
    let uid: String
    /// Index into `CollectedKinds.all`; nil: a kind Skiff does not serve.
    let kind: UInt8?
    /// Empty for cluster-scoped objects.
    let namespace: String
    let name: String

    var type: ResourceType? { kind.map { CollectedKinds.all[Int($0)] } }
    var namespaceArgument: String? { namespace.isEmpty ? nil : namespace }
}

/// One object in the owner graph. Only identity and references are kept, never the object:
/// a node costs a few hundred bytes however large the object is.
struct GraphNode: Sendable {
    var identity: ObjectIdentity
    var owners: [OwnerRef] = []
    /// UIDs of the objects that name this one as an owner.
    var dependents: Set<String> = []
    /// Seen by an informer; false for a virtual node, known only as someone's owner.
    var observed: Bool
    /// Has a deletionTimestamp.
    var beingDeleted = false
    /// Being deleted with the `foregroundDeletion` finalizer: waits for its dependents.
    var deletingDependents = false
    /// Being deleted with the `orphan` finalizer: its dependents are to be let go.
    var orphaning = false
}

/// What the graph learnt from one informer event, for the collector's queues.
struct GraphChanges: Sendable {
    /// Nodes to look at (dependents to collect, owners to finalize, virtual nodes to check).
    var attemptToDelete: [String] = []
    /// Owners being deleted with the `orphan` finalizer.
    var attemptToOrphan: [String] = []
}
