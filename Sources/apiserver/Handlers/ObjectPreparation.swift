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

    /// Decodes against the kind's schema and drops unknown fields, returning kubectl-style
    /// warnings for them.
    static func pruneUnknownFields(_ obj: inout JSON, _ s: any ResourceStrategy) throws(Status) -> [String] {
        let unknown = try s.unknownFields(obj)
        for p in unknown { obj.remove(at: p.components[...]) }
        return unknown.map { "unknown field \"\($0)\"" }
    }

    /// The unknown fields of `obj` by `schema`, or 400 naming the first field whose JSON type
    /// is wrong, worded as Kubernetes answers a body it cannot decode.
    static func unknownFields(_ obj: JSON, _ schema: Schema, kind: String, version: String) throws(Status) -> [JSONPath] {
        do {
            return try SchemaWalker.unknownFields(in: obj, schema: schema)
        } catch {
            throw Status.badRequest("\(kind) in version \"\(version)\" cannot be handled as a \(kind): \(error.description)")
        }
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
        var bits: UInt64 = g.next()
        var suffix = ""
        for _ in 0..<5 {
            suffix.append(alphabet[Int(bits % UInt64(alphabet.count))])
            bits /= UInt64(alphabet.count)
        }
        return String(prefix.prefix(58)) + suffix
    }
}

/// Random (version 4) UUIDs in lowercase text form.
enum UUIDv4 {
    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func make() -> String {
        var g = SystemRandomNumberGenerator()
        var words: (UInt64, UInt64) = (g.next(), g.next())
        return withUnsafeMutableBytes(of: &words) { raw -> String in
            raw[6] = (raw[6] & 0x0F) | 0x40
            raw[8] = (raw[8] & 0x3F) | 0x80
            var out = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
            var o = 0
            for i in 0..<16 {
                if o == 8 || o == 13 || o == 18 || o == 23 { o += 1 }
                out[o] = hex[Int(raw[i] >> 4)]
                out[o + 1] = hex[Int(raw[i] & 0xF)]
                o += 2
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
