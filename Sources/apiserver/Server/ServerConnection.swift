import Logging
import Synchronization

/// One client connection on the server side: the handshake, then requests dispatched as
/// tasks, watches it owns, cancel and ping; and, for a kubelet's connection, requests the
/// apiserver sends to the node (`call`, for `proxy`).
///
/// Thread-safety: frame callbacks run on the loop thread; request tasks run anywhere and
/// only touch the connection through `send` and the guarded state.
final class ServerConnection: NodeLink, @unchecked Sendable {
    enum Phase {
        case awaitingHello(since: Double)
        case ready(User)
        case closed
    }

    struct State {
        var phase: Phase
        var inflight = 0
        var watches: [Int: Watcher] = [:]
        /// Watch requests started but not yet registered with the hub.
        var pendingWatches: Set<Int> = []
        /// Of those, the ones the client cancelled already.
        var cancelled: Set<Int> = []
        /// Requests this side sent to the peer, by our id (independent of the peer's ids).
        var outbound: [Int: OutboundRequest] = [:]
        var nextOutboundID = 1
    }

    let framed: FramedConnection
    let server: ServerContext
    let state: Mutex<State>
    let logger: Logger

    init(framed: FramedConnection, server: ServerContext) {
        self.framed = framed
        self.server = server
        self.state = Mutex(State(phase: .awaitingHello(since: Timestamp.nowSeconds())))
        var l = server.logger
        l[metadataKey: "peer"] = .string(framed.peer)
        self.logger = l
    }

    func start() throws(Errno) {
        framed.onFrame = { [self] body in self.received(body) }
        framed.onFrameError = { [self] e in self.logger.info("protocol error, closing", metadata: ["error": .string(e.description)]) }
        framed.onClose = { [self] reason in self.closed(reason) }
        try framed.start()
    }

    /// True if the client has not completed the handshake since before `deadline`.
    func handshakeOverdue(before deadline: Double) -> Bool {
        state.withLock { if case .awaitingHello(let since) = $0.phase { return since < deadline } else { return false } }
    }

    private func fail(_ s: Status) {
        framed.close(reason: s.message, finalBytes: Message.error(s).frame)
    }

    // MARK: loop thread

    private func received(_ body: [UInt8]) {
        let object: JSONObject
        do {
            object = try Frame.parseBody(body)
        } catch {
            fail(.badRequest("protocol error: \(error.description)"))
            return
        }
        let phase = state.withLock { $0.phase }
        switch phase {
        case .closed: return
        case .awaitingHello: handshake(object)
        case .ready(let user): dispatch(object, user: user)
        }
    }

    private func handshake(_ o: JSONObject) {
        do throws(Status) {
            let hello = try Hello(json: o)
            guard let v = ProtocolVersion.negotiate(client: hello.versions) else {
                throw Status.badRequest("no common protocol version: client speaks \(hello.versions.sorted()), server speaks \(ProtocolVersion.supported)")
            }
            let user = try server.authenticator.authenticate(hello)
            state.withLock { $0.phase = .ready(user) }
            framed.send(Frame.encode(Welcome(version: v, server: server.version, user: user.description).json.bytes()))
            if case .node(let name) = user, server.service.tunnels.register(name, self) {
                logger.info("node connected again: proxy requests now use the new connection", metadata: ["node": .string(name)])
            }
            logger.debug("client connected", metadata: ["user": .string(user.description), "client": .string(hello.client)])
        } catch {
            logger.info("handshake refused", metadata: ["reason": .string(error.message)])
            fail(error)
        }
    }

    private func dispatch(_ o: JSONObject, user: User) {
        let message: Message
        do throws(Status) {
            message = try Message.parse(o)
        } catch {
            // A malformed answer to one of our requests fails that request (replying would
            // put our error under an id the peer chose for its own requests).
            if o["type"]?.stringValue == "response", let id = o["id"]?.intValue {
                state.withLock { $0.outbound.removeValue(forKey: id) }?.finish(.failure(.badGateway("malformed response from the node: \(error.message)")))
                return
            }
            // A malformed message with an id gets an error response; the connection stays.
            if let id = o["id"]?.intValue {
                framed.send(Message.response(id: id, result: .failure(error), warnings: []).frame)
            } else {
                fail(error)
            }
            return
        }
        switch message {
        case .request(let req): start(req, user: user)
        case .cancel(let id): cancel(id)
        case .ping(let id): framed.send(Message.pong(id: id).frame)
        case .response(let id, _, _):
            state.withLock { $0.outbound.removeValue(forKey: id) }?.finish(Self.nodeAnswer(o))
        case .pong, .event: break
        case .error(let s):
            framed.close(reason: "client reported: \(s.message)")
        }
    }

    private func start(_ req: Request, user: User) {
        let admitted = state.withLock { s -> Bool in
            guard s.inflight < server.config.maxInflightPerConnection else { return false }
            s.inflight += 1
            return true
        }
        // A client that does not read its replies gets no more work queued for it.
        let reading = framed.pendingOutputBytes <= server.config.maxPendingReplyBytes
        guard admitted, reading, server.admit() else {
            if admitted { state.withLock { $0.inflight -= 1 } }
            let s = Status.tooManyRequests(reading ? "too many requests in flight, please try again later"
                                                   : "too many replies waiting to be read by this client", retryAfterSeconds: 1)
            framed.send(Message.response(id: req.id, result: .failure(s), warnings: []).frame)
            return
        }
        if req.verb == .watch { _ = state.withLock { $0.pendingWatches.insert(req.id) } }
        let stream = req.verb == .watch ? watchContext(req.id) : nil
        let work: RequestBatcher.Work = { [self] in
            await server.service.handle(req, user: user, stream: stream) { reply in
                self.answer(req, reply)
            }
        }
        switch req.verb {
        case .get, .create, .update, .patch, .delete, .version, .discovery: server.batcher.add(work)
        default: Task { await work() }
        }
    }

    /// Sends the answer to `req` (any thread) and frees its in-flight slot.
    private func answer(_ req: Request, _ reply: Reply) {
        server.release()
        state.withLock { $0.inflight -= 1 }
        switch reply {
        case .encoded(let bytes, let warnings):
            framed.send(Message.responseFrame(id: req.id, objectBytes: bytes, warnings: warnings))
        case .object(let json, let warnings):
            framed.send(Message.response(id: req.id, result: .success(json), warnings: warnings).frame)
        case .failure(let status):
            if req.verb == .watch {
                state.withLock { s in
                    s.watches.removeValue(forKey: req.id)
                    s.pendingWatches.remove(req.id)
                    s.cancelled.remove(req.id)
                }
            }
            framed.send(Message.response(id: req.id, result: .failure(status), warnings: []).frame)
        case .streaming:
            break
        }
    }

    private func watchContext(_ id: Int) -> WatchStreamContext {
        WatchStreamContext(
            connection: framed, requestID: id,
            finish: { [self] status in
                let owned = state.withLock { $0.watches.removeValue(forKey: id) != nil }
                guard owned else { return }
                framed.send(Message.response(id: id, result: status.map { .failure($0) } ?? .success(.null), warnings: []).frame)
            },
            register: { [self] w in
                state.withLock { s -> Bool in
                    s.pendingWatches.remove(id)
                    if s.cancelled.remove(id) != nil { return false }
                    if case .closed = s.phase { return false }
                    s.watches[id] = w
                    return true
                }
            })
    }

    private func cancel(_ id: Int) {
        let w = state.withLock { s -> Watcher? in
            if let w = s.watches.removeValue(forKey: id) { return w }
            if s.pendingWatches.contains(id) { s.cancelled.insert(id) }
            return nil
        }
        guard let w else { return }
        server.service.hub.remove(w)
        framed.send(Message.response(id: id, result: .success(.null), warnings: []).frame)
    }

    private func closed(_ reason: String) {
        let (watches, outbound, user) = state.withLock { s -> ([Watcher], [OutboundRequest], User?) in
            let user: User? = if case .ready(let u) = s.phase { u } else { nil }
            s.phase = .closed
            defer {
                s.watches.removeAll()
                s.outbound.removeAll()
            }
            return (Array(s.watches.values), Array(s.outbound.values), user)
        }
        for w in watches { server.service.hub.remove(w) }
        if case .node(let name)? = user { server.service.tunnels.unregister(name, self) }
        for o in outbound { o.finish(.failure(.unavailable("the node's connection closed: \(reason)"))) }
        server.forget(self)
        logger.debug("connection closed", metadata: ["reason": .string(reason)])
    }
}
