extension APIService {
    func update(_ req: Request, user: User, respond: @escaping Responder) throws(Status) {
        let t = try target(req, needsNamespace: true)
        guard var obj = req.object else { throw Status.badRequest("update needs an object") }
        try ObjectPreparation.checkKind(&obj, t.type)
        try ObjectPreparation.placeNamespace(&obj, t)
        let objName = obj["metadata"]["name"].stringValue ?? ""
        let name = req.name ?? objName
        if name.isEmpty { throw Status.badRequest("resource name may not be empty") }
        try Self.checkNameMatches(obj, name)
        obj[path: ["metadata", "name"]] = .string(name)
        let isStatus = req.subresource == "status"
        let given = obj
        let maxBytes = limits.maxObjectBytes
        guaranteedUpdate(t, t.key(name), dryRun: req.dryRun, respond: respond) { cur, old throws(Status) -> PreparedChange in
            try Self.checkNodeOwnsPod(user, t, old)
            try Self.checkResourceVersion(given, current: cur, t, name)
            return try Self.prepareUpdate(t, name, current: cur, old: old, new: given, isStatus: isStatus, maxBytes: maxBytes)
        }
    }

    func patch(_ req: Request, user: User, respond: @escaping Responder) throws(Status) {
        let t = try target(req, needsNamespace: true)
        let name = try requireName(req)
        let patch = try PatchDocument(req)
        let isStatus = req.subresource == "status"
        let maxBytes = limits.maxObjectBytes
        guaranteedUpdate(t, t.key(name), dryRun: req.dryRun, respond: respond) { cur, old throws(Status) -> PreparedChange in
            try Self.checkNodeOwnsPod(user, t, old)
            var new = try patch.apply(to: old, name: name)
            // A resourceVersion the patch sets (or leaves) is a precondition.
            try Self.checkResourceVersion(new, current: cur, t, name)
            try ObjectPreparation.checkKind(&new, t.type)
            return try Self.prepareUpdate(t, name, current: cur, old: old, new: new, isStatus: isStatus, maxBytes: maxBytes)
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
                              new given: JSON, isStatus: Bool, maxBytes: Int) throws(Status) -> PreparedChange {
        let s = t.strategy
        var new = given
        let oldMeta = old["metadata"]
        // Kubernetes' ValidNamespace: a namespace the object names must be the request's.
        if t.type.namespaced, let ns = new["metadata"]["namespace"].stringValue, !ns.isEmpty, ns != oldMeta["namespace"].stringValue {
            throw Status.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        try checkUID(new, old: old, t, name)
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
        // Once deletion has begun, finalizers (a namespace's spec.finalizers too) may only be removed.
        if !oldMeta["deletionTimestamp"].isNull {
            try checkNoNewFinalizers(before: oldMeta["finalizers"], after: new["metadata"]["finalizers"], field: "metadata.finalizers")
            if t.type == .namespaces {
                try checkNoNewFinalizers(before: old["spec"]["finalizers"], after: new["spec"]["finalizers"], field: "spec.finalizers")
            }
        }
        let warnings = try ObjectPreparation.pruneUnknownFields(&new, s)
        s.applyDefaults(&new)
        s.prepareForUpdate(&new, old: old)
        let causes = RatchetedValidation.causes(MetadataValidation.validate(new, type: t.type) + s.validate(new) + s.validateUpdate(new, old: old),
                                                oldCauses: s.validate(old))
        if !causes.isEmpty { throw ObjectPreparation.invalid(new, t.type, causes) }
        if s.tracksGeneration, new["spec"] != old["spec"] {
            new[path: ["metadata", "generation"]] = .int((oldMeta["generation"].intValue ?? 1) + 1)
        }
        new[path: ["metadata", "resourceVersion"]] = oldMeta["resourceVersion"]
        if new == old {
            return .unchanged(WriteOutcome(bytes: current.bytes, revision: current.modRevision, wrote: false, warnings: warnings))
        }
        // A pod in graceful deletion (grace above 0) is removed by a delete, not by an update.
        if !oldMeta["deletionTimestamp"].isNull && (oldMeta["deletionGracePeriodSeconds"].intValue ?? 0) == 0 && s.readyToDelete(new) {
            return .delete(EncodedObject(new), warnings: warnings)
        }
        let encoded = EncodedObject(new)
        try checkSize(encoded, limit: maxBytes)
        return .put(encoded, old: old, warnings: warnings)
    }

    static func checkNoNewFinalizers(before: JSON, after: JSON, field: String) throws(Status) {
        let was = Set((before.arrayValue ?? []).compactMap(\.stringValue))
        let now = Set((after.arrayValue ?? []).compactMap(\.stringValue))
        if !now.isSubset(of: was) {
            throw Status.forbidden("\(field): no new finalizers can be added if the object is being deleted, found new finalizers \(now.subtracting(was).sorted())")
        }
    }
}
