/// What a request asks for. Kubernetes' verbs, plus the protocol's own.
public enum Verb: String, Sendable, CaseIterable {
    case get, list, watch, create, update, patch, delete
    /// Delete every object a label/field selector matches in a namespace.
    case deletecollection
    /// The resource types the server serves (`ctl api-resources`).
    case discovery
    /// The server's version (`ctl version`).
    case version
    /// To a node's kubelet (`resource: nodes`, `name`, `path`): a client asks the apiserver,
    /// which forwards the request to the kubelet over the connection the kubelet dialed.
    case proxy
    /// A container's log, streamed (`resource: pods`; protocol version 2, section 10).
    case logs
    /// A command in a container, its stdin, stdout and stderr streamed (protocol version 2).
    case exec

    /// Verbs whose answer is a stream of `data` frames before the final response.
    public var isStreaming: Bool { self == .logs || self == .exec }
}

/// One request frame. Either side may send requests; ids are chosen by the sender and
/// answered with the same id.
public struct Request: Sendable, Equatable {
    public var id: Int
    public var verb: Verb
    /// Plural resource name (`pods`, `leases`); empty for discovery/version.
    public var resource: String = ""
    public var namespace: String?
    public var name: String?
    /// `status` for the status subresource (get, update, patch); `binding` for `pods/binding` (create).
    public var subresource: String?
    /// The object for create and update.
    public var object: JSON?
    /// The patch document for `patch`; `patchType` says which kind (`merge`).
    public var patch: JSON?
    public var patchType: String?
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    /// For watch: start after this revision. For get/list: ignored (always the latest).
    public var resourceVersion: String?
    public var allowWatchBookmarks: Bool = false
    /// For delete: the object must still have this uid / resourceVersion.
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    /// For delete: `Background` (default), `Foreground`, or `Orphan`.
    public var propagationPolicy: String?
    public var gracePeriodSeconds: Int?
    /// Kubernetes' `dryRun=All` for create, update, patch, delete and deletecollection:
    /// everything runs but nothing is written. On the wire: `"dryRun": ["All"]`.
    public var dryRun: Bool = false
    /// For `proxy`: the path on the kubelet (`healthz`, `configz`, `stats/summary`).
    public var path: String?
    /// Free-form body for `proxy`.
    public var body: JSON?

    public init(id: Int = 0, verb: Verb, resource: String = "", namespace: String? = nil, name: String? = nil) {
        self.id = id
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
        self.name = name
    }

    public var json: JSON {
        var o = JSONObject([("type", "request"), ("id", .int(id)), ("verb", .string(verb.rawValue))])
        if !resource.isEmpty { o["resource"] = .string(resource) }
        func put(_ k: String, _ v: String?) { if let v { o[k] = .string(v) } }
        put("namespace", namespace)
        put("name", name)
        put("subresource", subresource)
        if let object { o["object"] = object }
        if let patch { o["patch"] = patch }
        put("patchType", patchType)
        put("labelSelector", labelSelector)
        put("fieldSelector", fieldSelector)
        if let limit { o["limit"] = .int(limit) }
        put("continue", continueToken)
        put("resourceVersion", resourceVersion)
        if allowWatchBookmarks { o["allowWatchBookmarks"] = true }
        if preconditionUID != nil || preconditionResourceVersion != nil {
            var p = JSONObject()
            if let u = preconditionUID { p["uid"] = .string(u) }
            if let r = preconditionResourceVersion { p["resourceVersion"] = .string(r) }
            o["preconditions"] = .object(p)
        }
        put("propagationPolicy", propagationPolicy)
        if let g = gracePeriodSeconds { o["gracePeriodSeconds"] = .int(g) }
        if dryRun { o["dryRun"] = .array(["All"]) }
        put("path", path)
        if let body { o["body"] = body }
        return .object(o)
    }

    /// Reads a request frame; a malformed one throws a 400 `Status` naming the field.
    public init(json o: JSONObject) throws(Status) {
        guard let id = o["id"]?.intValue else { throw .badRequest("request.id must be an integer") }
        self.id = id
        guard let v = o["verb"]?.stringValue else { throw .badRequest("request.verb must be a string") }
        guard let verb = Verb(rawValue: v) else {
            throw .badRequest("unknown verb \"\(Status.clip(v))\"; supported: \(Verb.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.verb = verb
        func str(_ k: String) throws(Status) -> String? {
            guard let v = o[k], !v.isNull else { return nil }
            guard let s = v.stringValue else { throw .badRequest("request.\(k) must be a string, got \(v.typeName)") }
            return s
        }
        resource = try str("resource") ?? ""
        namespace = try str("namespace")
        name = try str("name")
        subresource = try str("subresource")
        object = o["object"].flatMap { $0.isNull ? nil : $0 }
        patch = o["patch"].flatMap { $0.isNull ? nil : $0 }
        patchType = try str("patchType")
        labelSelector = try str("labelSelector")
        fieldSelector = try str("fieldSelector")
        if let l = o["limit"], !l.isNull {
            guard let i = l.intValue, i >= 0 else { throw .badRequest("request.limit must be a non-negative integer") }
            limit = i
        }
        continueToken = try str("continue")
        resourceVersion = try str("resourceVersion")
        if let b = o["allowWatchBookmarks"], !b.isNull {
            guard let v = b.boolValue else { throw .badRequest("request.allowWatchBookmarks must be a boolean, got \(b.typeName)") }
            allowWatchBookmarks = v
        }
        if let p = o["preconditions"], !p.isNull {
            guard p.objectValue != nil else { throw .badRequest("request.preconditions must be an object, got \(p.typeName)") }
            func precondition(_ k: String) throws(Status) -> String? {
                let v = p[k]
                if v.isNull { return nil }
                guard let s = v.stringValue else { throw .badRequest("request.preconditions.\(k) must be a string, got \(v.typeName)") }
                return s
            }
            preconditionUID = try precondition("uid")
            preconditionResourceVersion = try precondition("resourceVersion")
        }
        propagationPolicy = try str("propagationPolicy")
        if let g = o["gracePeriodSeconds"], !g.isNull {
            guard let i = g.intValue else { throw .badRequest("request.gracePeriodSeconds must be an integer") }
            gracePeriodSeconds = i
        }
        dryRun = try Self.dryRun(o["dryRun"], verb: verb)
        path = try str("path")
        body = o["body"]
    }

    static let dryRunVerbs: [Verb] = [.create, .update, .patch, .delete, .deletecollection]

    /// `dryRun`: absent, null or `[]` is a real write; `["All"]` a dry run; anything else is
    /// refused, so a request meant as a dry run can never be taken for a write.
    static func dryRun(_ v: JSON?, verb: Verb) throws(Status) -> Bool {
        guard let v, !v.isNull else { return false }
        guard let items = v.arrayValue else { throw .badRequest("request.dryRun must be an array of strings, got \(v.typeName)") }
        for item in items {
            guard let s = item.stringValue else { throw .badRequest("request.dryRun must be an array of strings, got an item of type \(item.typeName)") }
            if s != "All" { throw .badRequest("Invalid dry run value \"\(Status.clip(s))\": the only supported value is \"All\"") }
        }
        if items.isEmpty { return false }
        if !dryRunVerbs.contains(verb) {
            throw .badRequest("request.dryRun is not allowed for \(verb.rawValue); it applies to \(dryRunVerbs.map(\.rawValue).joined(separator: ", "))")
        }
        return true
    }
}
