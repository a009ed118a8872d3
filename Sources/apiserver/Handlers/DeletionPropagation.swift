/// What a delete request's `propagationPolicy` does to the object's finalizers, as
/// Kubernetes' generic registry (`deletionFinalizersForGarbageCollection`): `Orphan` puts
/// the `orphan` finalizer on, `Foreground` the `foregroundDeletion` finalizer, `Background`
/// neither; the garbage collector does the work each finalizer stands for and removes it.
/// Without a policy, a finalizer the object already carries decides, else the kind's default.
enum DeletionPropagation {
    static let orphanFinalizer = "orphan"
    static let foregroundFinalizer = "foregroundDeletion"
    static let policies = ["Background", "Foreground", "Orphan"]

    /// Kubernetes' per-kind default (`DefaultGarbageCollectionPolicy`): batch/v1 Jobs orphan
    /// their pods, for backward compatibility; every other served kind deletes dependents
    /// in the background.
    static func defaultsToOrphan(_ type: ResourceType) -> Bool { type == .jobs }

    /// The warning Kubernetes' Job storage adds to a delete that names no policy.
    static let jobDefaultWarning = "child pods are preserved by default when jobs are deleted; "
        + "set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"

    /// Warnings a delete (or deletecollection) of `type` with `policy` answers with.
    static func warnings(_ type: ResourceType, policy: String?) -> [String] {
        policy == nil && defaultsToOrphan(type) ? [jobDefaultWarning] : []
    }

    /// 400 for a policy that is not one of the three.
    static func check(_ policy: String?) throws(Status) {
        if let p = policy, !policies.contains(p) {
            throw Status.badRequest("propagationPolicy \"\(Status.clip(p))\" is not one of Background, Foreground, Orphan")
        }
    }

    /// The finalizers `object` carries after a delete with `policy`; nil when they stay as
    /// they are (compared as sets, as Kubernetes does).
    static func finalizers(of object: JSON, policy: String?, type: ResourceType) -> [JSON]? {
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
            default: (orphan, foreground) = (defaultsToOrphan(type), false)
            }
        }
        var new = current.filter { $0.stringValue != orphanFinalizer && $0.stringValue != foregroundFinalizer }
        if orphan { new.append(.string(orphanFinalizer)) }
        if foreground { new.append(.string(foregroundFinalizer)) }
        if Set(new.compactMap(\.stringValue)) == Set(names) { return nil }
        return new
    }
}
