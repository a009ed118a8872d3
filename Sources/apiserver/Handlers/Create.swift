extension APIService {
    func create(_ req: Request, respond: @escaping Responder) throws(Status) {
        let t = try target(req, needsNamespace: true)
        guard var obj = req.object else { throw Status.badRequest("create needs an object") }
        let s = t.strategy
        try ObjectPreparation.checkKind(&obj, t.type)
        try ObjectPreparation.placeNamespace(&obj, t)
        if let rv = obj["metadata"]["resourceVersion"].stringValue, !rv.isEmpty {
            throw Status.badRequest("resourceVersion should not be set on objects to be created")
        }
        let (warnings, kindCauses) = try ObjectPreparation.pruneAndValidate(&obj, s)
        s.applyDefaults(&obj)
        s.prepareForCreate(&obj)
        let generate = (obj["metadata"]["name"].stringValue ?? "").isEmpty ? obj["metadata"]["generateName"].stringValue : nil
        var check = obj
        if let g = generate, !g.isEmpty { check[path: ["metadata", "name"]] = .string(ObjectPreparation.generatedName(g)) }
        let causes = MetadataValidation.validate(check, type: t.type) + kindCauses
        if !causes.isEmpty { throw ObjectPreparation.invalid(check, t.type, causes) }
        // Server-owned metadata, set in one pass over the metadata object.
        var meta = obj["metadata"].objectValue ?? JSONObject()
        for f in ["deletionTimestamp", "deletionGracePeriodSeconds"] { meta[f] = nil }
        meta["resourceVersion"] = EncodedObject.placeholderValue
        if let g = generate, !g.isEmpty { meta["name"] = check["metadata"]["name"] }
        meta["uid"] = .string(ObjectPreparation.newUID())
        meta["creationTimestamp"] = .string(Timestamp.now())
        meta["generation"] = s.tracksGeneration ? 1 : nil
        obj["metadata"] = .object(meta)
        let encoded = EncodedObject(placeheld: obj)
        try Self.checkSize(encoded, limit: limits.maxObjectBytes)
        write(warnings: warnings, respond: respond) { tx throws(Status) -> WriteOutcome in
            try Self.createInBatch(tx, t, encoded, generateName: generate)
        }
    }

    /// The create itself, inside a write batch: the namespace must be live and the name free.
    /// Everything else was prepared outside the writer.
    static func createInBatch(_ tx: WriteTransaction, _ t: Target, _ encoded: EncodedObject, generateName: String?) throws(Status) -> WriteOutcome {
        if let ns = t.namespace {
            switch tx.namespaces.state(ns) {
            case nil: throw Status.notFound(resource: "namespaces", name: ns)
            case .terminating?: throw Status.forbidden("unable to create new content in namespace \(ns) because it is being terminated")
            case .active?: break
            }
        }
        var object = encoded
        var tries = 0
        while true {
            let name = object.json["metadata"]["name"].stringValue ?? ""
            do {
                let stored = try tx.create(t.key(name), object, resource: t.type)
                return WriteOutcome(bytes: stored.bytes, revision: stored.modRevision)
            } catch {
                // A generated name that is taken: draw another, as Kubernetes retries.
                guard error.isAlreadyExists, let g = generateName, !g.isEmpty, tries < 8 else { throw error }
                tries += 1
                var j = object.json
                j[path: ["metadata", "name"]] = .string(ObjectPreparation.generatedName(g))
                object = EncodedObject(j)
            }
        }
    }
}
