/// Where an object lives in the store: `/registry/<resource>/<namespace>/<name>`, the
/// namespace left out for cluster-scoped kinds.
struct ObjectKey: Sendable, Hashable, CustomStringConvertible {
    var resource: String
    var namespace: String?
    var name: String

    var path: String {
        if let ns = namespace { return "/registry/\(resource)/\(ns)/\(name)" }
        return "/registry/\(resource)/\(name)"
    }

    var description: String { path }

    /// Parses a stored key back (used when replaying the log from disk).
    init?(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        // "", "registry", resource, [ns,] name
        guard parts.count >= 4, parts[1] == "registry" else { return nil }
        resource = String(parts[2])
        if parts.count == 5 {
            namespace = String(parts[3])
            name = String(parts[4])
        } else {
            namespace = nil
            name = String(parts[3])
        }
    }

    init(resource: String, namespace: String?, name: String) {
        self.resource = resource
        self.namespace = namespace
        self.name = name
    }
}

/// A contiguous range of keys: every object of a resource, optionally in one namespace.
struct KeyRange: Sendable {
    var resource: String
    var namespace: String?

    /// Inclusive lower bound.
    var lower: String {
        if let ns = namespace { return "/registry/\(resource)/\(ns)/" }
        return "/registry/\(resource)/"
    }

    /// Exclusive upper bound: the lower bound with its trailing `/` bumped to `0`.
    var upper: String { String(lower.dropLast()) + "0" }

    func contains(_ key: String) -> Bool { key >= lower && key < upper }
}

/// One object as stored: its encoded JSON and the revision of this version.
struct StoredObject: Sendable {
    var key: String
    var bytes: [UInt8]
    var modRevision: Int64

    func json() throws(Status) -> JSON {
        do { return try JSON.parse(bytes) } catch { throw Status.internalError("stored object \(key) is corrupt: \(error)") }
    }
}
