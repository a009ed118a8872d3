extension APIService {
    func update(_ req: Request, user: User, bodySize: Int, respond: @escaping Responder) throws(Status) {
        try checkSize(bodySize)
        let t = try target(req, needsNamespace: true)
        guard var obj = req.object else { throw Status.badRequest("update needs an object") }
        try ObjectPreparation.checkKind(&obj, t.type)
        try ObjectPreparation.placeNamespace(&obj, t)
        let objName = obj["metadata"]["name"].stringValue ?? ""
        let name = req.name ?? objName
        if name.isEmpty { throw Status.badRequest("resource name may not be empty") }
        if !objName.isEmpty && objName != name {
            throw Status.badRequest("the name of the object (\(objName)) does not match the name on the URL (\(name))")
        }
        obj[path: ["metadata", "name"]] = .string(name)
        let isStatus = req.subresource == "status"
        let given = obj
        guaranteedUpdate(t, t.key(name), respond: respond) { cur, old throws(Status) -> PreparedChange in
            try Self.checkNodeOwnsPod(user, t, old)
            if let rv = given["metadata"]["resourceVersion"].stringValue, !rv.isEmpty, rv != String(cur.modRevision) {
                throw Status.conflict(resource: t.type.plural, name: name, group: t.type.group,
                                      "the object has been modified; please apply your changes to the latest version and try again")
            }
            return try Self.prepareUpdate(t, name, current: cur, old: old, new: given, isStatus: isStatus)
        }
    }

    func patch(_ req: Request, user: User, bodySize: Int, respond: @escaping Responder) throws(Status) {
        try checkSize(bodySize)
        let t = try target(req, needsNamespace: true)
        let name = try requireName(req)
        if let pt = req.patchType, pt != "merge" {
            throw Status(code: 415, reason: "UnsupportedMediaType", message: "the patch type \"\(pt)\" is not supported; Skiff takes \"merge\" (RFC 7386)")
        }
        guard let patch = req.patch, case .object = patch else { throw Status.badRequest("a merge patch must be a JSON object") }
        let isStatus = req.subresource == "status"
        guaranteedUpdate(t, t.key(name), respond: respond) { cur, old throws(Status) -> PreparedChange in
            try Self.checkNodeOwnsPod(user, t, old)
            if let rv = patch["metadata"]["resourceVersion"].stringValue, rv != String(cur.modRevision) {
                throw Status.conflict(resource: t.type.plural, name: name, group: t.type.group,
                                      "the object has been modified; please apply your changes to the latest version and try again")
            }
            var new = old.applyingMergePatch(patch)
            try ObjectPreparation.checkKind(&new, t.type)
            return try Self.prepareUpdate(t, name, current: cur, old: old, new: new, isStatus: isStatus)
        }
    }

    /// A kubelet may write only pods bound to its own node.
    static func checkNodeOwnsPod(_ user: User, _ t: Target, _ old: JSON) throws(Status) {
        guard case .node(let node) = user, t.type == .pods else { return }
        if old["spec"]["nodeName"].stringValue != node {
            throw Status.forbidden("pods \"\(old["metadata"]["name"].stringValue ?? "")\" is forbidden: node \"\(node)\" can only update pods bound to it")
        }
    }

    /// The shared end of update and patch, computed from one version of the object (outside
    /// the writer): server-owned metadata is kept, spec/status split by subresource,
    /// defaults, validation, no-op detection, and deletion once the last finalizer is gone.
    static func prepareUpdate(_ t: Target, _ name: String, current: StoredObject, old: JSON,
                              new given: JSON, isStatus: Bool) throws(Status) -> PreparedChange {
        let s = t.strategy
        var new = given
        let oldMeta = old["metadata"]
        if let uid = new["metadata"]["uid"].stringValue, !uid.isEmpty, uid != oldMeta["uid"].stringValue {
            throw Status.conflict(resource: t.type.plural, name: name, group: t.type.group,
                                  "Precondition failed: UID in precondition: \(uid), UID in object meta: \(oldMeta["uid"].stringValue ?? "")")
        }
        if isStatus {
            var merged = old
            merged["status"] = new["status"]
            new = merged
        } else if s.hasStatusSubresource {
            new["status"] = old["status"]
        }
        for f in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"] {
            new[path: ["metadata", f]] = oldMeta[f]
        }
        // Once deletion has begun, finalizers may only be removed.
        if !oldMeta["deletionTimestamp"].isNull {
            let before = Set((oldMeta["finalizers"].arrayValue ?? []).compactMap(\.stringValue))
            let after = Set((new["metadata"]["finalizers"].arrayValue ?? []).compactMap(\.stringValue))
            if !after.isSubset(of: before) {
                throw Status.forbidden("no new finalizers can be added if the object is being deleted, found new finalizers \(after.subtracting(before).sorted())")
            }
        }
        var (warnings, causes) = try ObjectPreparation.pruneAndValidate(&new, s)
        s.applyDefaults(&new)
        if t.type == .secrets { SecretStrategy.foldStringData(&new) }
        causes = MetadataValidation.validate(new, type: t.type) + causes + s.validateUpdate(new, old: old)
        if !causes.isEmpty { throw ObjectPreparation.invalid(new, t.type, causes) }
        if s.tracksGeneration, new["spec"] != old["spec"] {
            new[path: ["metadata", "generation"]] = .int((oldMeta["generation"].intValue ?? 1) + 1)
        }
        new[path: ["metadata", "resourceVersion"]] = oldMeta["resourceVersion"]
        if new == old {
            return .unchanged(WriteOutcome(bytes: current.bytes, revision: current.modRevision, wrote: false, warnings: warnings))
        }
        if !oldMeta["deletionTimestamp"].isNull && s.readyToDelete(new) {
            return .delete(EncodedObject(new), warnings: warnings)
        }
        return .put(EncodedObject(new), old: old, warnings: warnings)
    }
}
