import Foundation
import Synchronization

/// Serves requests the apiserver starts toward a client (logs, exec).
public typealias ServerRequestHandler = ClosureBox<@Sendable (Request) async -> Result<JSON, Status>>
/// Serves `logs` and `exec` requests the apiserver starts toward a client (a kubelet): the
/// handler writes to and reads from the channel and returns the final answer.
public typealias StreamRequestHandler = ClosureBox<@Sendable (Request, StreamChannel) async -> Result<JSON, Status>>

/// One authenticated connection to an apiserver: requests with ids, many in flight, watch
/// streams, and requests the server starts toward us (`onServerRequest`).
///
/// Thread-safety: all methods may be called from any task. It does not reconnect; the
/// `Client` above it does.
public final class WireConnection: @unchecked Sendable {
    public let config: ClientConfig
    public let welcome: Welcome
    let conn: FramedConnection

    enum Waiter {
        case reply(CheckedContinuation<Result<Reply, Status>, Never>)
        case watch(AsyncThrowingStream<WatchEvent, any Error>.Continuation)
        case ping(CheckedContinuation<Bool, Never>)
        case stream(StreamChannel)
    }

    struct State {
        var nextID = 1
        var waiters: [Int: Waiter] = [:]
        /// Requests the server sent us that are still being answered, by the server's id.
        var serving: [Int: Task<Void, Never>] = [:]
        /// The channels of the server's `logs`/`exec` requests being served, by the server's id.
        var servingStreams: [Int: StreamChannel] = [:]
        var closedReason: String? = nil
        var closeHandlers: [@Sendable (String) -> Void] = []
    }

    let state = Mutex(State())
    /// Handles requests the server sends us (logs, exec). Default: 405 for everything.
    public let serverRequests = Mutex<ServerRequestHandler?>(nil)
    /// Handles `logs`/`exec` requests the server sends us. Default: 405.
    public let streamRequests = Mutex<StreamRequestHandler?>(nil)
    /// True when the connection negotiated streams (protocol version 2 or later).
    public var speaksStreams: Bool { welcome.version >= ProtocolVersion.streams }

    private init(config: ClientConfig, welcome: Welcome, conn: FramedConnection) {
        self.config = config
        self.welcome = welcome
        self.conn = conn
    }

    /// Dials, sends hello, and waits for welcome. Fails within the connect timeout (plus the
    /// same again for the handshake) with a `Status`. `serving` answers requests the server
    /// sends; it is in place before any can arrive.
    public static func connect(_ config: ClientConfig, loop: EventLoop = .shared,
                               serving: ServerRequestHandler? = nil,
                               streaming: StreamRequestHandler? = nil) async throws(Status) -> WireConnection {
        // Not dialed at all when the process is at its descriptor budget (see there).
        guard DescriptorBudget.take() else {
            throw .connectionFailed(config.server, DescriptorBudget.exhausted("socket").description)
        }
        let fd: Int32
        do {
            fd = try await withCheckedThrowingContinuation { (c: CheckedContinuation<Int32, any Error>) in
                DispatchQueue.global().async {
                    do { c.resume(returning: try Socket.connect(to: config.server, timeoutMs: config.connectTimeoutMs)) } catch { c.resume(throwing: error) }
                }
            }
        } catch let e as Errno {
            DescriptorBudget.give()
            throw .connectionFailed(config.server, String(e.description.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces))
        } catch {
            DescriptorBudget.give()
            throw .connectionFailed(config.server, "\(error)")
        }
        let framed = FramedConnection(fd: fd, loop: loop, limits: config.limits, budgeted: true)
        let hello = Hello(token: config.token, nodeName: config.nodeName, client: config.clientName,
                          maxFrameBytes: config.limits.maxFrameBytes)
        // The first frame back is the welcome or an error; everything after goes to the
        // connection's router, installed before the next frame can arrive (same thread).
        let box = HandshakeBox()
        let result: Result<(Welcome, WireConnection?), Status> = await withCheckedContinuation { c in
            box.set(c)
            framed.onFrame = { body in
                guard box.isPending else { box.connection?.route(body); return }
                do {
                    let o = try Frame.parseBody(body)
                    if o["type"]?.stringValue == "error" {
                        box.finish(.failure(Status(json: o["status"] ?? .null)))
                        return
                    }
                    let w = try Welcome(json: o)
                    let wc = WireConnection(config: config, welcome: w, conn: framed)
                    wc.serverRequests.withLock { $0 = serving }
                    wc.streamRequests.withLock { $0 = streaming }
                    box.connection = wc
                    box.finish(.success((w, wc)))
                } catch let s as Status {
                    box.finish(.failure(s))
                } catch {
                    box.finish(.failure(.badRequest("bad handshake reply: \(error)")))
                }
            }
            framed.onClose = { reason in
                box.finish(.failure(.connectionFailed(config.server, reason)))
                box.connection?.connectionClosed(reason)
            }
            do {
                try framed.start()
            } catch {
                box.finish(.failure(.connectionFailed(config.server, "\(error)")))
                return
            }
            framed.send(Frame.encode(hello.json.bytes()))
            let timeout = Double(config.connectTimeoutMs) / 1000
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                box.finish(.failure(.connectionFailed(config.server, "no handshake reply within \(timeout)s")))
            }
        }
        switch result {
        case .success(let (_, wc)):
            return wc!
        case .failure(let s):
            framed.close(reason: "handshake failed")
            throw s
        }
    }

    /// The id the next request will carry.
    private func allocate(_ waiter: (Int) -> Waiter?) -> Int? {
        state.withLock { s in
            if s.closedReason != nil { return nil }
            let id = s.nextID
            s.nextID += 1
            if let w = waiter(id) { s.waiters[id] = w }
            return id
        }
    }

    /// Events a watch holds for a consumer that has not taken them yet.
    static let watchBuffer = 10_000

    /// Sends a request and waits for its answer. A transport failure is a 503 `Status`.
    public func request(_ req: Request, timeoutSeconds: Double? = nil) async throws(Status) -> Reply {
        let timeout = timeoutSeconds ?? config.requestTimeoutSeconds
        let result: Result<Reply, Status> = await withCheckedContinuation { c in
            var r = req
            guard let id = allocate({ _ in .reply(c) }) else {
                c.resume(returning: .failure(.connectionFailed(config.server, closedReason ?? "closed")))
                return
            }
            r.id = id
            conn.send(Frame.encode(r.json.bytes()))
            if let timeout {
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
                    self.fail(id, .timeout("the server did not answer within \(timeout)s"))
                }
            }
        }
        return try result.get()
    }

    /// Sends pre-encoded request bytes whose id was taken from `reserveID` (benchmarks).
    public func requestRaw(id: Int, frame: [UInt8]) async -> Result<Reply, Status> {
        await withCheckedContinuation { c in
            let ok = state.withLock { s -> Bool in
                if s.closedReason != nil { return false }
                s.waiters[id] = .reply(c)
                return true
            }
            guard ok else { c.resume(returning: .failure(.connectionFailed(config.server, "closed"))); return }
            conn.send(frame)
        }
    }

    public func reserveID() -> Int { allocate { _ in nil } ?? -1 }

    /// Starts a watch. Events arrive in order; the stream ends with an error (a `Status`,
    /// e.g. 410 Gone) or normally when cancelled. Ending the iteration cancels the watch.
    public func watch(_ req: Request) -> AsyncThrowingStream<WatchEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<WatchEvent, any Error>.makeStream(bufferingPolicy: .bufferingOldest(Self.watchBuffer))
        var r = req
        r.verb = .watch
        guard let id = allocate({ _ in .watch(continuation) }) else {
            continuation.finish(throwing: Status.connectionFailed(config.server, closedReason ?? "closed"))
            return stream
        }
        r.id = id
        continuation.onTermination = { [weak self] reason in
            guard let self else { return }
            if case .cancelled = reason {
                let live = self.state.withLock { $0.waiters.removeValue(forKey: id) != nil }
                if live { self.conn.send(Message.cancel(id: id).frame) }
            }
        }
        conn.send(Frame.encode(r.json.bytes()))
        return stream
    }

    /// Round-trips a ping; false if the connection died first.
    public func ping() async -> Bool {
        await withCheckedContinuation { c in
            guard let id = allocate({ _ in .ping(c) }) else { c.resume(returning: false); return }
            conn.send(Message.ping(id: id).frame)
        }
    }

    public var closedReason: String? { state.withLock { $0.closedReason } }
    public var isClosed: Bool { closedReason != nil }

    /// Runs `handler` once when the connection closes (at once if it already has).
    public func onClose(_ handler: @escaping @Sendable (String) -> Void) {
        let already = state.withLock { s -> String? in
            if let r = s.closedReason { return r }
            s.closeHandlers.append(handler)
            return nil
        }
        if let already { handler(already) }
    }

    public func close() { conn.close(reason: "closed by client") }

    /// Closes at once without flushing: for links judged dead.
    public func abort(_ reason: String = "aborted by client") { conn.abort(reason: reason) }

    private func fail(_ id: Int, _ status: Status) {
        guard let w = state.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
        switch w {
        case .reply(let c): c.resume(returning: .failure(status))
        case .watch(let c): c.finish(throwing: status)
        case .ping(let c): c.resume(returning: false)
        case .stream(let c): c.finish(.failure(status))
        }
    }

    // MARK: loop thread

    /// Routes one frame after the handshake.
    func route(_ body: [UInt8]) {
        let message: Message
        do {
            message = try Message.parse(try Frame.parseBody(body), streams: speaksStreams)
        } catch {
            conn.close(reason: "bad frame from server: \(error)")
            return
        }
        switch message {
        case .response(let id, let result, let warnings):
            guard let w = state.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
            switch w {
            case .reply(let c): c.resume(returning: result.map { Reply(object: $0, warnings: warnings) })
            case .watch(let c):
                if case .failure(let s) = result { c.finish(throwing: s) } else { c.finish() }
            case .ping(let c): c.resume(returning: true)
            case .stream(let c): c.finish(result)
            }
        case .event(let id, let type, let object):
            let w = state.withLock { $0.waiters[id] }
            if case .watch(let c)? = w, case .dropped = c.yield(WatchEvent(type: type, object: object)) {
                // The consumer fell behind by a whole buffer: end the watch (it resumes
                // from the last revision it saw) rather than hold events without limit.
                if state.withLock({ $0.waiters.removeValue(forKey: id) }) != nil {
                    conn.send(Message.cancel(id: id).frame)
                    c.finish(throwing: Status.tooManyRequests("watch events were not consumed fast enough (\(Self.watchBuffer) waiting); resume from the last resourceVersion seen", retryAfterSeconds: 1))
                }
            }
        case .pong(let id):
            if case .ping(let c)? = state.withLock({ $0.waiters.removeValue(forKey: id) }) { c.resume(returning: true) }
        case .ping(let id):
            conn.send(Message.pong(id: id).frame)
        case .request(let req) where req.verb.isStreaming:
            serveStream(req)
        case .stream(let m):
            routeStream(m)
        case .request(let req):
            let handler = serverRequests.withLock { $0 }
            // Registered before it can finish: the task removes itself under the same lock.
            state.withLock { s in
                s.serving[req.id] = Task { [conn, self] in
                    let result = await handler?.call(req) ?? .failure(.methodNotAllowed("this client serves no \(req.verb.rawValue) requests"))
                    _ = self.state.withLock { $0.serving.removeValue(forKey: req.id) }
                    conn.send(Message.response(id: req.id, result: result, warnings: []).frame)
                }
            }
        case .cancel(let id):
            // The handler sees cancellation and still sends its (final) response.
            let (task, channel) = state.withLock { ($0.serving[id], $0.servingStreams[id]) }
            channel?.fail(.canceled("the request was cancelled"))
            task?.cancel()
        case .error(let s):
            conn.close(reason: s.message)
        }
    }

    func connectionClosed(_ reason: String) {
        let (waiters, handlers, serving, channels) = state.withLock { s in
            s.closedReason = s.closedReason ?? reason
            defer {
                s.waiters.removeAll()
                s.closeHandlers.removeAll()
                s.serving.removeAll()
                s.servingStreams.removeAll()
            }
            return (s.waiters, s.closeHandlers, s.serving.values, s.servingStreams.values)
        }
        for c in channels { c.fail(.connectionFailed(config.server, reason)) }
        // Nobody is left to read their answers.
        for t in serving { t.cancel() }
        let status = Status.connectionFailed(config.server, reason)
        for (_, w) in waiters {
            switch w {
            case .reply(let c): c.resume(returning: .failure(status))
            case .watch(let c): c.finish(throwing: status)
            case .ping(let c): c.resume(returning: false)
            case .stream(let c): c.finish(.failure(status))
            }
        }
        for h in handlers { h(reason) }
    }
}

/// The handshake's one-shot result, resumed exactly once.
private final class HandshakeBox: @unchecked Sendable {
    private let lock = Mutex<(CheckedContinuation<Result<(Welcome, WireConnection?), Status>, Never>?, Bool)>((nil, true))
    private let conn = Mutex<WireConnection?>(nil)

    var connection: WireConnection? {
        get { conn.withLock { $0 } }
        set { conn.withLock { $0 = newValue } }
    }

    var isPending: Bool { lock.withLock { $0.1 } }

    func set(_ c: CheckedContinuation<Result<(Welcome, WireConnection?), Status>, Never>) {
        lock.withLock { $0.0 = c }
    }

    func finish(_ r: Result<(Welcome, WireConnection?), Status>) {
        let c = lock.withLock { s -> CheckedContinuation<Result<(Welcome, WireConnection?), Status>, Never>? in
            guard s.1 else { return nil }
            s.1 = false
            defer { s.0 = nil }
            return s.0
        }
        c?.resume(returning: r)
    }
}
