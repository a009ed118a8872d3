/// Typed conveniences over `Client.request`, one per verb.
extension Client {
    public func get(_ type: ResourceType, namespace: String? = nil, name: String, timeout: Double? = nil) async throws(Status) -> JSON {
        try await request(Request(verb: .get, resource: type.plural, namespace: namespace, name: name), timeoutSeconds: timeout).object
    }

    /// The object, or nil when it does not exist.
    public func getIfPresent(_ type: ResourceType, namespace: String? = nil, name: String, timeout: Double? = nil) async throws(Status) -> JSON? {
        do {
            return try await get(type, namespace: namespace, name: name, timeout: timeout)
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }

    /// Lists every object, `pageSize` at a time (following `continue`, as client-go's
    /// pager), so a list larger than one frame still arrives; returns the items and the
    /// list's revision. A continue token that expired (410 Gone: its revision was
    /// compacted away) restarts the list from the first page, at most `restarts` times.
    public func list(_ type: ResourceType, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
                     pageSize: Int = 500, restarts: Int = 3) async throws(Status) -> (items: [JSON], resourceVersion: String) {
        var first = Request(verb: .list, resource: type.plural, namespace: namespace)
        first.labelSelector = labelSelector
        first.fieldSelector = fieldSelector
        first.limit = pageSize > 0 ? pageSize : nil
        var restartsLeft = restarts
        var req = first
        var items: [JSON] = []
        var rv = ""
        while true {
            let page: JSON
            do {
                page = try await request(req).object
            } catch {
                guard error.isGone, req.continueToken != nil, restartsLeft > 0 else { throw error }
                restartsLeft -= 1
                req = first
                items = []
                continue
            }
            items.append(contentsOf: page["items"].arrayValue ?? [])
            rv = page["metadata"]["resourceVersion"].stringValue ?? rv
            guard let next = page["metadata"]["continue"].stringValue, !next.isEmpty else { break }
            req.continueToken = next
        }
        return (items, rv)
    }

    public func create(_ type: ResourceType, namespace: String? = nil, _ object: JSON, timeout: Double? = nil) async throws(Status) -> JSON {
        var req = Request(verb: .create, resource: type.plural, namespace: namespace ?? object["metadata"]["namespace"].stringValue)
        req.object = object
        return try await request(req, timeoutSeconds: timeout).object
    }

    /// PUT: honours `metadata.resourceVersion` (409 Conflict if stale).
    public func update(_ type: ResourceType, _ object: JSON, status: Bool = false) async throws(Status) -> JSON {
        var req = Request(verb: .update, resource: type.plural, namespace: object["metadata"]["namespace"].stringValue,
                          name: object["metadata"]["name"].stringValue)
        req.object = object
        if status { req.subresource = "status" }
        return try await request(req).object
    }

    /// `patchType`: `merge`, `json` or `strategic` (PROTOCOL.md). `timeout`: this request's
    /// deadline instead of the client's (nil: the client's).
    public func patch(_ type: ResourceType, namespace: String? = nil, name: String, _ patch: JSON, patchType: String = "merge",
                      status: Bool = false, timeout: Double? = nil) async throws(Status) -> JSON {
        var req = Request(verb: .patch, resource: type.plural, namespace: namespace, name: name)
        req.patch = patch
        req.patchType = patchType
        if status { req.subresource = "status" }
        return try await request(req, timeoutSeconds: timeout).object
    }

    @discardableResult
    public func delete(_ type: ResourceType, namespace: String? = nil, name: String, uid: String? = nil,
                       resourceVersion: String? = nil, propagationPolicy: String? = nil,
                       gracePeriodSeconds: Int? = nil) async throws(Status) -> JSON {
        var req = Request(verb: .delete, resource: type.plural, namespace: namespace, name: name)
        req.preconditionUID = uid
        req.gracePeriodSeconds = gracePeriodSeconds
        req.preconditionResourceVersion = resourceVersion
        req.propagationPolicy = propagationPolicy
        return try await request(req).object
    }

    /// Assigns pod `namespace/name` to `node` through the `pods/binding` subresource (the
    /// scheduler's write): 409 if it is already assigned or being deleted, 404 if absent.
    /// `uid` (when given) must be the pod's.
    public func bind(namespace: String, name: String, node: String, uid: String? = nil) async throws(Status) {
        var meta: JSON = ["name": .string(name), "namespace": .string(namespace)]
        if let uid { meta["uid"] = .string(uid) }
        var req = Request(verb: .create, resource: ResourceType.pods.plural, namespace: namespace, name: name)
        req.subresource = "binding"
        req.object = ["apiVersion": "v1", "kind": "Binding", "metadata": meta, "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)]]
        _ = try await request(req)
    }

    /// Decodes a JSON object into a typed API struct.
    public static func decode<T: Decodable>(_ type: T.Type, _ json: JSON) throws -> T {
        try JSONValueDecoder.decode(type, from: json).value
    }
}

extension JSON {
    /// Encodes an `Encodable` API struct (nil optionals left out).
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSONValueEncoder.encode(value)
    }
}

extension Client {
    /// `update` with its own deadline (heartbeats must not wait on a dead link).
    public func updateWithTimeout(_ type: ResourceType, _ object: JSON, timeout: Double) async throws(Status) -> JSON {
        var req = Request(verb: .update, resource: type.plural, namespace: object["metadata"]["namespace"].stringValue,
                          name: object["metadata"]["name"].stringValue)
        req.object = object
        return try await request(req, timeoutSeconds: timeout).object
    }
}
