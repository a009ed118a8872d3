/// What a delete request's `propagationPolicy` does to the object's finalizers, as
/// Kubernetes' generic registry (`deletionFinalizersForGarbageCollection`): `Orphan` puts
/// the `orphan` finalizer on, `Foreground` the `foregroundDeletion` finalizer, `Background`
/// neither; the garbage collector does the work each finalizer stands for and removes it.
/// Without a policy, a finalizer the object already carries decides, else the kind's default.
enum DeletionPropagation {
    static let orphanFinalizer = "orphan"
    static let foregroundFinalizer = "foregroundDeletion"
    static let policies = ["Background", "Foreground", "Orphan"]

    /// Warnings a delete (or deletecollection) with `policy` answers with: the kind's, when
    /// no policy was named (`ResourceStrategy.defaultPolicyWarning`).
    static func warnings(_ strategy: any ResourceStrategy, policy: String?) -> [String] {
        policy == nil ? strategy.defaultPolicyWarning.map { [$0] } ?? [] : []
    }

    /// 400 for a policy that is not one of the three.
    static func check(_ policy: String?) throws(Status) {
        if let p = policy, !policies.contains(p) {
            throw Status.badRequest("propagationPolicy \"\(Status.clip(p))\" is not one of Background, Foreground, Orphan")
        }
    }

    /// The finalizers `object` carries after a delete with `policy`; nil when they stay as
    /// they are (compared as sets, as Kubernetes does).
    static func finalizers(of object: JSON, policy: String?, strategy: any ResourceStrategy) -> [JSON]? {
        let current = object["metadata"]["finalizers"].arrayValue ?? []
        let names = current.compactMap(\.stringValue)
        let orphan: Bool, foreground: Bool
        switch policy {
        case "Orphan": (orphan, foreground) = (true, false)
        case "Foreground": (orphan, foreground) = (false, true)
        case "Background": (orphan, foreground) = (false, false)
        default:
            // The first of the two the object carries wins (validation keeps them apart).
            switch names.first(where: { $0 == orphanFinalizer || $0 == foregroundFinalizer }) {
            case orphanFinalizer?: (orphan, foreground) = (true, false)
            case foregroundFinalizer?: (orphan, foreground) = (false, true)
            default: (orphan, foreground) = (strategy.defaultGarbageCollectionPolicy == "Orphan", false)
            }
        }
        var new = current.filter { $0.stringValue != orphanFinalizer && $0.stringValue != foregroundFinalizer }
        if orphan { new.append(.string(orphanFinalizer)) }
        if foreground { new.append(.string(foregroundFinalizer)) }
        if Set(new.compactMap(\.stringValue)) == Set(names) { return nil }
        return new
    }
}
