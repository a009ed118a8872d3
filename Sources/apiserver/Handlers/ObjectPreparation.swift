/// Checks and adjustments every written object goes through before it reaches the store.
enum ObjectPreparation {
    /// `apiVersion`/`kind` must match the resource addressed (filled in when missing).
    static func checkKind(_ obj: inout JSON, _ type: ResourceType) throws(Status) {
        guard case .object = obj else { throw Status.badRequest("the object must be a JSON object") }
        let kind = obj["kind"].stringValue ?? ""
        let apiVersion = obj["apiVersion"].stringValue ?? ""
        if !kind.isEmpty && kind != type.kind {
            throw Status.badRequest("the kind \"\(kind)\" does not match the resource \"\(type.qualifiedPlural)\" (kind \(type.kind))")
        }
        if !apiVersion.isEmpty && apiVersion != type.apiVersion {
            throw Status.badRequest("the apiVersion \"\(apiVersion)\" is not served for \(type.kind); use \"\(type.apiVersion)\"")
        }
        if apiVersion.isEmpty || kind.isEmpty {
            // Put them first, where Kubernetes objects carry them.
            var o = JSONObject([("apiVersion", .string(type.apiVersion)), ("kind", .string(type.kind))])
            for (k, v) in obj.objectValue! where k != "apiVersion" && k != "kind" { o[k] = v }
            obj = .object(o)
        }
        if obj["metadata"].objectValue == nil {
            if !obj["metadata"].isNull { throw Status.badRequest("metadata must be an object") }
            obj["metadata"] = .object(JSONObject())
        }
    }

    /// Puts the request's namespace into the object, or refuses a mismatch.
    static func placeNamespace(_ obj: inout JSON, _ target: APIService.Target) throws(Status) {
        if target.type.namespaced {
            let ns = target.namespace ?? "default"
            if let given = obj["metadata"]["namespace"].stringValue, !given.isEmpty, given != ns {
                throw Status.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            obj[path: ["metadata", "namespace"]] = .string(ns)
        } else {
            obj[path: ["metadata", "namespace"]] = .null
        }
    }

    /// Decodes against the kind's schema, drops unknown fields (returning kubectl-style
    /// warnings) and returns the kind's validation causes.
    static func pruneAndValidate(_ obj: inout JSON, _ s: any ResourceStrategy) throws(Status) -> (warnings: [String], causes: [Status.Cause]) {
        let (unknown, causes) = try s.checkSchema(obj)
        for p in unknown { obj.remove(at: p.components[...]) }
        return (unknown.map { "unknown field \"\($0)\"" }, causes)
    }

    static func invalid(_ obj: JSON, _ type: ResourceType, _ causes: [Status.Cause]) -> Status {
        let name = obj["metadata"]["name"].stringValue ?? obj["metadata"]["generateName"].stringValue ?? ""
        return Status.invalid(kind: type.kind, name: name, group: type.group, causes: causes)
    }

    static func newUID() -> String { UUIDv4.make() }

    /// `generateName` plus five characters from Kubernetes' alphabet (no vowels, no lookalikes).
    static func generatedName(_ prefix: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var g = SystemRandomNumberGenerator()
        return String(prefix.prefix(58)) + String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] })
    }
}

/// Random (version 4) UUIDs in lowercase text form.
enum UUIDv4 {
    static func make() -> String {
        var g = SystemRandomNumberGenerator()
        var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        let hex = b.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-" + hex[8..<10].joined() + "-" + hex[10..<16].joined()
    }
}
