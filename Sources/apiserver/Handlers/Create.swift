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
        let warnings = try ObjectPreparation.pruneUnknownFields(&obj, s)
        let generate = (obj["metadata"]["name"].stringValue ?? "").isEmpty ? obj["metadata"]["generateName"].stringValue : nil
        // Name and uid first, as in Kubernetes: prepareForCreate may use them (a Job's
        // generated selector and pod labels name its uid and name).
        if let g = generate, !g.isEmpty { obj[path: ["metadata", "name"]] = .string(ObjectPreparation.generatedName(g)) }
        obj[path: ["metadata", "uid"]] = .string(ObjectPreparation.newUID())
        s.applyDefaults(&obj)
        s.prepareForCreate(&obj)
        let causes = MetadataValidation.validate(obj, type: t.type) + s.validate(obj) + s.validateCreate(obj)
        if !causes.isEmpty { throw ObjectPreparation.invalid(obj, t.type, causes) }
        // Server-owned metadata, set in one pass over the metadata object.
        var meta = obj["metadata"].objectValue ?? JSONObject()
        for f in ["deletionTimestamp", "deletionGracePeriodSeconds"] { meta[f] = nil }
        meta["resourceVersion"] = EncodedObject.placeholderValue
        meta["creationTimestamp"] = .string(Timestamp.now())
        meta["generation"] = s.tracksGeneration ? 1 : nil
        obj["metadata"] = .object(meta)
        let encoded = EncodedObject(placeheld: obj)
        try Self.checkSize(encoded, limit: limits.maxObjectBytes)
        if req.dryRun {
            dryRunCreate(t, obj, generateName: generate, warnings: warnings, respond: respond)
            return
        }
        write(warnings: warnings, respond: respond) { tx throws(Status) -> WriteOutcome in
            try Self.createInBatch(tx, t, encoded, generateName: generate)
        }
    }

    /// A dry-run create never reaches the writer: the checks the batch would make (live
    /// namespace, free name) are reads, and the answer is the object as it would be stored,
    /// without a resourceVersion (Kubernetes leaves it empty: no revision is taken).
    private func dryRunCreate(_ t: Target, _ prepared: JSON, generateName: String?, warnings: [String], respond: @escaping Responder) {
        var answer = prepared
        answer[path: ["metadata", "resourceVersion"]] = .null
        let obj = answer
        let store = self.store
        store.blocking.run {
            respond(Self.answer { () throws(Status) -> Reply in
                if let ns = t.namespace {
                    guard let n = try store.get(ObjectKey(resource: "namespaces", namespace: nil, name: ns)) else {
                        throw Status.notFound(resource: "namespaces", name: ns)
                    }
                    if !(try n.json())["metadata"]["deletionTimestamp"].isNull {
                        throw Status.namespaceTerminating(ns)
                    }
                }
                let name = obj["metadata"]["name"].stringValue ?? ""
                if (generateName ?? "").isEmpty, try store.get(t.key(name)) != nil {
                    throw Status.alreadyExists(resource: t.type.plural, name: name, group: t.type.group)
                }
                return .object(obj, warnings: warnings)
            })
        }
    }

    /// The create itself, inside a write batch: the namespace must be live and the name free.
    /// Everything else was prepared outside the writer.
    static func createInBatch(_ tx: WriteTransaction, _ t: Target, _ encoded: EncodedObject, generateName: String?) throws(Status) -> WriteOutcome {
        if let ns = t.namespace {
            switch tx.namespaces.state(ns) {
            case nil: throw Status.notFound(resource: "namespaces", name: ns)
            case .terminating?: throw Status.namespaceTerminating(ns)
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
