import Wire

/// Owner references as the workload controllers write and read them (Kubernetes'
/// `metav1.NewControllerRef` / `GetControllerOf`).
enum ControllerRefs {
    /// The reference a controller puts on what it makes: `controller` and
    /// `blockOwnerDeletion` true, so foreground deletion of the owner waits for it.
    static func controllerRef(to owner: JSON, _ type: ResourceType) -> JSON {
        ["apiVersion": .string(type.apiVersion), "kind": .string(type.kind),
         "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
         "controller": true, "blockOwnerDeletion": true]
    }

    /// The one owner reference with `controller: true`, if any.
    static func controllerOf(_ object: JSON) -> JSON? {
        (object["metadata"]["ownerReferences"].arrayValue ?? []).first { $0["controller"].boolValue == true }
    }

    static func isControlled(_ object: JSON, byUID uid: String) -> Bool {
        controllerOf(object)?["uid"].stringValue == uid
    }

    /// The merge patch that makes `owner` the controller of `object` (adoption): the whole
    /// list, with `metadata.uid` so a recreated object of the same name refuses it and
    /// `resourceVersion` so a concurrent change to the list conflicts instead of being lost.
    static func adoptionPatch(_ object: JSON, owner: JSON, _ type: ResourceType) -> JSON {
        let refs = (object["metadata"]["ownerReferences"].arrayValue ?? []) + [controllerRef(to: owner, type)]
        return ["metadata": ["uid": object["metadata"]["uid"], "resourceVersion": object["metadata"]["resourceVersion"],
                             "ownerReferences": .array(refs)]]
    }

    /// The merge patch that drops the reference to the owner with `ownerUID` (release).
    static func releasePatch(_ object: JSON, ownerUID: String) -> JSON {
        let refs = (object["metadata"]["ownerReferences"].arrayValue ?? []).filter { $0["uid"].stringValue != ownerUID }
        return ["metadata": ["uid": object["metadata"]["uid"], "resourceVersion": object["metadata"]["resourceVersion"],
                             "ownerReferences": refs.isEmpty ? .null : .array(refs)]]
    }
}
