/// The answer to one request.
enum Reply: Sendable {
    /// Already-encoded object (or list) bytes, sent without re-encoding.
    case encoded([UInt8], warnings: [String])
    case object(JSON, warnings: [String])
    case failure(Status)
    /// A watch: events are flowing; the final response is sent when it ends.
    case streaming
}

typealias Responder = @Sendable (Reply) -> Void

/// The API itself: every verb on every served kind, independent of the transport.
///
/// Thread-safety: any task; all state lives in the store and the watch hub.
final class APIService: Sendable {
    let store: Store
    let hub: WatchHub
    let registry: Registry
    let authorizer: Authorizer
    let limits: FrameLimits
    let serverVersion: String
    /// Connected kubelets, for `proxy`.
    let tunnels = NodeTunnels()
    let proxyTimeoutSeconds: Double

    init(store: Store, hub: WatchHub, registry: Registry = .standard, limits: FrameLimits, serverVersion: String,
         proxyTimeoutSeconds: Double = 30, nodeGraph: NodeGraph = NodeGraph()) {
        self.store = store
        self.authorizer = Authorizer(graph: nodeGraph)
        self.proxyTimeoutSeconds = proxyTimeoutSeconds
        self.hub = hub
        self.registry = registry
        self.limits = limits
        self.serverVersion = serverVersion
    }

    /// Handles one request from `user`; `respond` is called exactly once with the answer.
    /// For writes it is called on the store's writer thread right after the commit, so the
    /// answer goes out without another hop. `replyLimit` is the largest frame the client
    /// accepts (lists are sized to fit it).
    func handle(_ req: Request, user: User, replyLimit: Int? = nil, stream: WatchStreamContext?,
                respond: @escaping Responder) async {
        do throws(Status) {
            try authorizer.authorize(user, req, object: req.object)
            switch req.verb {
            case _ where req.subresource == "scale": try scale(req, respond: respond)
            // Reads block on SQLite (and on a free read connection): they run on the store's
            // own threads, never on the cooperative pool that every other task needs.
            case .get: store.blocking.run { respond(Self.answer { () throws(Status) in try self.get(req) }) }
            case .list:
                let limit = replyLimit ?? limits.maxFrameBytes
                store.blocking.run { respond(Self.answer { () throws(Status) in try self.list(req, replyLimit: limit) }) }
            case .create where req.subresource == "binding": try bind(req, respond: respond)
            case .create: try create(req, respond: respond)
            case .update: try update(req, user: user, respond: respond)
            case .patch: try patch(req, user: user, respond: respond)
            case .delete: try delete(req, user: user, respond: respond)
            case .deletecollection: respond(try await deleteCollection(req, replyLimit: replyLimit ?? limits.maxFrameBytes))
            case .watch:
                guard let stream else { throw Status.badRequest("watch needs a connection") }
                // Async: its reads go to the store's threads page by page (see `watch`).
                respond(try await watch(req, stream: stream))
            case .discovery: respond(discovery())
            case .version: respond(version())
            case .proxy: respond(try await proxy(req))
            case .logs, .exec: throw Status.badRequest("\(req.verb.rawValue) is a stream: it is served on connections only")
            }
        } catch {
            respond(.failure(error))
        }
    }

    static func answer(_ body: () throws(Status) -> Reply) -> Reply {
        do throws(Status) { return try body() } catch { return .failure(error) }
    }

    /// `handle`, awaiting the answer (bootstrap and tests).
    func handle(_ req: Request, user: User, stream: WatchStreamContext? = nil) async -> Reply {
        await withCheckedContinuation { c in
            Task { await handle(req, user: user, stream: stream) { c.resume(returning: $0) } }
        }
    }

    /// Queues a write; its answer (the object as written, plus warnings) goes to `respond`
    /// from the writer thread once durable.
    func write(warnings: [String] = [], respond: @escaping Responder,
               _ work: @escaping @Sendable (WriteTransaction) throws(Status) -> WriteOutcome) {
        store.submit(work) { r in
            switch r {
            case .success(let o): respond(.encoded(o.bytes, warnings: warnings + o.warnings))
            case .failure(let s): respond(.failure(s))
            }
        }
    }

    /// The strategy and namespace a request addresses.
    struct Target {
        var strategy: any ResourceStrategy
        var namespace: String?
        var type: ResourceType { strategy.type }
        var range: KeyRange { KeyRange(resource: type.plural, namespace: namespace) }
        func key(_ name: String) -> ObjectKey { ObjectKey(resource: type.plural, namespace: namespace, name: name) }
    }

    /// Resolves the request's resource; single-object verbs on namespaced kinds need a namespace.
    func target(_ req: Request, needsNamespace: Bool) throws(Status) -> Target {
        let s = try registry.strategy(for: req.resource)
        if let sub = req.subresource {
            let verbs = Self.subresourceVerbs(s, sub)
            if verbs.isEmpty {
                throw Status(code: 404, reason: Status.Reason.notFound, message: "the server could not find the requested resource (\(s.type.plural)/\(sub))")
            }
            if !verbs.contains(req.verb) {
                let takes = verbs.count == 1 ? verbs[0].rawValue : verbs.dropLast().map(\.rawValue).joined(separator: ", ") + " and " + verbs.last!.rawValue
                throw Status.methodNotAllowed("\(req.verb.rawValue) is not allowed on \(s.type.plural)/\(sub); it takes \(takes)")
            }
        }
        guard s.type.namespaced else { return Target(strategy: s, namespace: nil) }
        let ns = req.namespace.flatMap { $0.isEmpty ? nil : $0 }
        if needsNamespace && ns == nil { throw Status.badRequest("a namespace is required for \(s.type.plural)") }
        return Target(strategy: s, namespace: ns)
    }

    /// The verbs subresource `sub` of a kind takes; none if the kind has no such subresource.
    static func subresourceVerbs(_ s: any ResourceStrategy, _ sub: String) -> [Verb] {
        switch sub {
        case "status" where s.hasStatusSubresource: return [.get, .update, .patch]
        case "binding" where s.type == .pods: return [.create]
        case "scale" where scaledTypes.contains(s.type.plural): return [.get, .update, .patch]
        default: return []
        }
    }

    func requireName(_ req: Request) throws(Status) -> String {
        guard let n = req.name, !n.isEmpty else { throw Status.badRequest("resource name may not be empty") }
        return n
    }

    /// The object as it will be stored (defaults applied, patch merged) must fit
    /// `--max-object-bytes`.
    static func checkSize(_ encoded: EncodedObject, limit: Int) throws(Status) {
        if encoded.storedSize > limit {
            throw Status(code: 413, reason: Status.Reason.requestEntityTooLarge,
                         message: "Request entity too large: the object would be \(encoded.storedSize) bytes; the limit is \(limit) bytes")
        }
    }
}

/// Where a watch's events go: the connection and the request's id. Built by the transport.
struct WatchStreamContext: Sendable {
    let connection: FramedConnection
    let requestID: Int
    /// Called when the watch ends on the server's side, with the reason (nil: cancelled).
    let finish: @Sendable (Status?) -> Void
    /// Lets the transport stop the watch when the client cancels or disconnects. False if
    /// the request was cancelled, or the connection closed, before the watch could start.
    let register: @Sendable (Watcher) -> Bool
    /// The largest frame the client accepts: an event that would not fit ends the watch.
    var frameLimit = FrameLimits.default.maxFrameBytes
    /// The next page of a watch's initial state waits until fewer bytes than this are unsent.
    var paceBelowPendingBytes = 4 << 20
}
