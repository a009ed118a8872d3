extension APIService {
    func create(_ req: Request, bodySize: Int) async throws(Status) -> Reply {
        try checkSize(bodySize)
        let t = try target(req, needsNamespace: true)
        guard var obj = req.object else { throw Status.badRequest("create needs an object") }
        let s = t.strategy
        try ObjectPreparation.checkKind(&obj, t.type)
        try ObjectPreparation.placeNamespace(&obj, t)
        if let rv = obj["metadata"]["resourceVersion"].stringValue, !rv.isEmpty {
            throw Status.badRequest("resourceVersion should not be set on objects to be created")
        }
        let (warnings, kindCauses) = try ObjectPreparation.pruneAndValidate(&obj, s)
        for f in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion"] {
            obj[path: ["metadata", f]] = .null
        }
        s.applyDefaults(&obj)
        s.prepareForCreate(&obj)
        let generate = (obj["metadata"]["name"].stringValue ?? "").isEmpty ? obj["metadata"]["generateName"].stringValue : nil
        var check = obj
        if let g = generate, !g.isEmpty { check[path: ["metadata", "name"]] = .string(ObjectPreparation.generatedName(g)) }
        let causes = MetadataValidation.validate(check, type: t.type) + kindCauses
        if !causes.isEmpty { throw ObjectPreparation.invalid(check, t.type, causes) }
        let prepared = obj
        let out = try await store.mutate { tx throws(Status) -> WriteOutcome in
            try Self.createInBatch(tx, t, prepared, generateName: generate)
        }
        return .encoded(out.bytes, warnings: warnings)
    }

    /// The create itself, inside a write batch: namespace checks, naming, identity.
    static func createInBatch(_ tx: WriteTransaction, _ t: Target, _ prepared: JSON, generateName: String?) throws(Status) -> WriteOutcome {
        var obj = prepared
        if let ns = t.namespace {
            try requireLiveNamespace(tx, ns)
        }
        var name = obj["metadata"]["name"].stringValue ?? ""
        if let g = generateName, !g.isEmpty {
            var tries = 0
            repeat {
                name = ObjectPreparation.generatedName(g)
                tries += 1
            } while try tx.get(t.key(name)) != nil && tries < 8
            obj[path: ["metadata", "name"]] = .string(name)
        }
        let key = t.key(name)
        if try tx.get(key) != nil {
            throw Status.alreadyExists(resource: t.type.plural, name: name, group: t.type.group)
        }
        obj[path: ["metadata", "uid"]] = .string(ObjectPreparation.newUID())
        obj[path: ["metadata", "creationTimestamp"]] = .string(Timestamp.now())
        if t.strategy.tracksGeneration { obj[path: ["metadata", "generation"]] = 1 }
        let stored = try tx.put(key, obj, previous: nil)
        return WriteOutcome(bytes: stored.bytes, revision: stored.modRevision)
    }

    /// New content needs a namespace that exists and is not being deleted.
    static func requireLiveNamespace(_ tx: WriteTransaction, _ ns: String) throws(Status) {
        guard let nsObj = try tx.get(ObjectKey(resource: "namespaces", namespace: nil, name: ns)) else {
            throw Status.notFound(resource: "namespaces", name: ns)
        }
        // Cheap test before parsing: only a namespace being deleted has a deletionTimestamp.
        if nsObj.bytes.count > 0, String(decoding: nsObj.bytes, as: UTF8.self).contains("\"deletionTimestamp\"") {
            throw Status.forbidden("unable to create new content in namespace \(ns) because it is being terminated")
        }
    }
}
