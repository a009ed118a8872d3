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
        /// The peer's requests not yet finally answered, by the peer's id; a watch stays
        /// here until it ends. An id may not be reused while it is here.
        var requests: [Int: InFlight] = [:]
        /// Of `requests`, those that are not watches (they share the in-flight limit).
        var inflight = 0
        /// Of `requests`, the watches (they have a limit of their own).
        var watchCount = 0
        /// Watches registered with the hub.
        var watches: [Int: Watcher] = [:]
        /// Watch requests the client cancelled before they were registered with the hub.
        var cancelled: Set<Int> = []
        /// Requests this side sent to the peer, by our id (independent of the peer's ids).
        var outbound: [Int: OutboundRequest] = [:]
        var nextOutboundID = 1
        /// The largest frame the peer accepts (its hello's `maxFrameBytes`, capped by ours).
        var replyLimit = FrameLimits.default.maxFrameBytes
        /// The negotiated protocol version (2 and later carry streams).
        var version = 1
        /// Of `requests`, the `logs`/`exec` streams (they have a limit of their own).
        var streamCount = 0
        /// The peer's `logs`/`exec` streams, by the peer's id.
        var relays: [Int: StreamRelay] = [:]
        /// Streams we asked of the peer (a kubelet) for another connection's caller, by our id.
        var nodeStreams: [Int: StreamRelay] = [:]
    }

    /// One of the peer's requests in flight.
    struct InFlight {
        let verb: Verb
        /// Holds a server-wide slot (a list takes its slot only once it passes the gate).
        var global = true
        /// The task running it, for the verbs a `cancel` or a close stops (list, watch, proxy).
        var task: Task<Void, Never>? = nil
    }

    let framed: FramedConnection
    let server: ServerContext
    let state: Mutex<State>
    let logger: Logger
    /// Lists pass one at a time (see `start`).
    let listGate = AsyncGate()

    init(framed: FramedConnection, server: ServerContext) {
        self.framed = framed
        self.server = server
        var initial = State(phase: .awaitingHello(since: Timestamp.nowSeconds()))
        initial.replyLimit = server.config.limits.maxFrameBytes
        self.state = Mutex(initial)
        var l = server.logger
        l[metadataKey: "peer"] = .string(framed.peer)
        self.logger = l
    }

    /// Starts reading. Loop thread (the listener's accept callback).
    func start() throws(Errno) {
        // A hello is tiny: until it has come, bigger frames are refused unparsed.
        framed.setMaxFrameBytes(min(server.config.preAuthMaxFrameBytes, server.config.limits.maxFrameBytes))
        framed.onFrame = { [self] body in self.received(body) }
        framed.onFrameError = { [self] e in
            guard let suppressed = self.server.protocolErrorLog.admit() else { return }
            self.logger.info("protocol error, closing", metadata: ["error": .string(e.description), "suppressed": "\(suppressed)"])
        }
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
                throw Status.badRequest("no common protocol version: client speaks \(Status.clip("\(hello.versions.sorted())")), server speaks \(ProtocolVersion.supported)")
            }
            let user = try server.authenticator.authenticate(hello)
            let limit = server.config.limits.maxFrameBytes
            state.withLock {
                $0.phase = .ready(user)
                $0.replyLimit = min(limit, hello.maxFrameBytes ?? FrameLimits.default.maxFrameBytes)
                $0.version = v
            }
            framed.setMaxFrameBytes(limit)
            framed.send(Frame.encode(Welcome(version: v, server: server.version, user: user.description, maxFrameBytes: limit).json.bytes()))
            if case .node(let name) = user, server.service.tunnels.register(name, self) {
                logger.info("node connected again: proxy requests now use the new connection", metadata: ["node": .string(name)])
            }
            logger.debug("client connected", metadata: ["user": .string(user.description), "client": .string(hello.client)])
        } catch {
            if let suppressed = server.handshakeLog.admit() {
                logger.info("handshake refused", metadata: ["reason": .string(error.message), "suppressed": "\(suppressed)"])
            }
            fail(error)
        }
    }

    private func dispatch(_ o: JSONObject, user: User) {
        let message: Message
        do throws(Status) {
            message = try Message.parse(o, streams: state.withLock { $0.version >= ProtocolVersion.streams })
        } catch {
            if let t = o["type"]?.stringValue, StreamMessage.types.contains(t), failStream(o, error) { return }
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
            if let relay = state.withLock({ $0.nodeStreams[id] }) {
                relay.nodeAnswered(Self.nodeAnswer(o))
                return
            }
            state.withLock { $0.outbound.removeValue(forKey: id) }?.finish(Self.nodeAnswer(o))
        case .stream(let m): received(stream: m)
        case .pong, .event: break
        case .error(let s):
            framed.close(reason: "client reported: \(s.message)")
        }
    }
}
