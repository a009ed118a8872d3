import Foundation
import Synchronization

/// A long-lived client: keeps one connection to the apiserver up, reconnecting with
/// exponential back-off and jitter, pinging to notice dead links. Requests run on the
/// current connection; one that finds no connection waits up to the connect timeout for
/// one, then fails with a 503 `Status` (callers retry at their own pace).
///
/// Thread-safety: any task. Call `close` when done.
public final class Client: Sendable {
    public let config: ClientConfig
    let loop: EventLoop

    struct State {
        var connection: WireConnection?
        /// Requests waiting for a connection, by ticket; each expires on its own timer.
        var waiters: [Int: CheckedContinuation<WireConnection?, Never>] = [:]
        var nextTicket = 0
        var closed = false
        var lastError: Status?
        var generation = 0
    }

    let state = Mutex(State())
    private let maintainer = Mutex<Task<Void, Never>?>(nil)
    /// Back-off bounds for reconnecting. Defaults 200 ms and 30 s.
    public let minBackoff: Double
    public let maxBackoff: Double
    /// Handles requests the server starts on this client's connections (`proxy`).
    public let serverRequests = Mutex<ServerRequestHandler?>(nil)
    /// Handles `logs`/`exec` requests the server starts on this client's connections.
    public let streamRequests = Mutex<StreamRequestHandler?>(nil)

    /// Serves the server's `logs` and `exec` requests, on the current connection and every later one.
    public func serveStreams(_ handler: @escaping @Sendable (Request, StreamChannel) async -> Result<JSON, Status>) {
        let box = StreamRequestHandler(handler)
        streamRequests.withLock { $0 = box }
        state.withLock { $0.connection }?.streamRequests.withLock { $0 = box }
    }

    /// Answers requests the server starts, on the current connection and every later one.
    public func serve(_ handler: @escaping @Sendable (Request) async -> Result<JSON, Status>) {
        let box = ServerRequestHandler(handler)
        serverRequests.withLock { $0 = box }
        state.withLock { $0.connection }?.serverRequests.withLock { $0 = box }
    }

    public init(config: ClientConfig, loop: EventLoop = .shared, minBackoff: Double = 0.2, maxBackoff: Double = 30) {
        self.config = config
        self.loop = loop
        self.minBackoff = minBackoff
        self.maxBackoff = maxBackoff
        let t = Task.detached { [weak self] in
            guard let self else { return }
            await self.maintain()
        }
        maintainer.withLock { $0 = t }
    }

    /// Stops reconnecting and closes the connection.
    public func close() {
        let (conn, waiters) = state.withLock { s in
            s.closed = true
            defer { s.waiters = [:] }
            return (s.connection, Array(s.waiters.values))
        }
        maintainer.withLock { $0?.cancel() }
        conn?.close()
        for w in waiters { w.resume(returning: nil) }
    }

    /// Closes the current connection (if any) so the next request waits for a fresh one;
    /// for callers that decided the link is dead (a request timed out).
    public func dropConnection() {
        state.withLock { $0.connection }?.abort("dropped: the link looked dead")
    }

    /// Connections made so far (1 after the first connect); tests use it to see reconnects.
    public var connectionGeneration: Int { state.withLock { $0.generation } }

    /// The live connection, waiting up to the connect timeout (or `limit` seconds, if
    /// shorter) for one. Each caller's wait is its own: a caller that came later is not
    /// failed by an earlier caller's timer.
    public func connection(within limit: Double? = nil) async throws(Status) -> WireConnection {
        if let c = state.withLock({ $0.connection }), !c.isClosed { return c }
        let timeout = max(0, min(Double(config.connectTimeoutMs) / 1000, limit ?? .infinity))
        let got: WireConnection? = await withCheckedContinuation { c in
            let immediate = state.withLock { s -> (WireConnection?, Int?) in
                if s.closed { return (nil, nil) }
                if let conn = s.connection, !conn.isClosed { return (conn, nil) }
                s.nextTicket += 1
                s.waiters[s.nextTicket] = c
                return (nil, s.nextTicket)
            }
            guard let ticket = immediate.1 else { c.resume(returning: immediate.0); return }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in self.expireWaiter(ticket) }
        }
        if let got { return got }
        let last = state.withLock { $0.lastError }
        throw last ?? Status.connectionFailed(config.server, state.withLock { $0.closed } ? "client closed" : "not connected")
    }

    /// Tells one waiter, if it is still waiting, that there is no connection yet.
    private func expireWaiter(_ ticket: Int) {
        state.withLock { $0.waiters.removeValue(forKey: ticket) }?.resume(returning: nil)
    }

    /// Keeps a connection up until `close`.
    private func maintain() async {
        var backoff = minBackoff
        while !Task.isCancelled && !state.withLock({ $0.closed }) {
            do {
                let conn = try await WireConnection.connect(config, loop: loop, serving: serverRequests.withLock { $0 },
                                                            streaming: streamRequests.withLock { $0 })
                let installed = state.withLock { s -> Bool in
                    if s.closed { return false }
                    s.connection = conn
                    return true
                }
                guard installed else {
                    conn.close()
                    return
                }
                // Again after installing: a `serve` racing with this sees either the
                // connection or, here, its handler.
                let handler = serverRequests.withLock { $0 }
                conn.serverRequests.withLock { $0 = handler }
                let streamHandler = streamRequests.withLock { $0 }
                conn.streamRequests.withLock { $0 = streamHandler }
                let waiters = state.withLock { s -> [CheckedContinuation<WireConnection?, Never>] in
                    s.lastError = nil
                    s.generation += 1
                    defer { s.waiters = [:] }
                    return Array(s.waiters.values)
                }
                for w in waiters { w.resume(returning: conn) }
                backoff = minBackoff
                await keepAlive(conn)
                state.withLock { if $0.connection === conn { $0.connection = nil } }
            } catch {
                state.withLock { $0.lastError = error }
                if error.code == 401 || error.code == 400 { backoff = maxBackoff }
            }
            if state.withLock({ $0.closed }) { return }
            let jitter = Double.random(in: 0.5...1.5)
            try? await Task.sleep(for: .milliseconds(Int(backoff * jitter * 1000)))
            backoff = min(maxBackoff, backoff * 2)
        }
    }

    /// Returns when the connection has closed; pings every 10–20 s (jittered, so thousands
    /// of clients in one process do not ping in step) and drops the connection if a pong
    /// does not come back within 10 s.
    private func keepAlive(_ conn: WireConnection) async {
        await withTaskGroup(of: Void.self) { g in
            g.addTask {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in conn.onClose { _ in c.resume() } }
            }
            g.addTask {
                while !Task.isCancelled && !conn.isClosed {
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 10_000...20_000)))
                    if Task.isCancelled || conn.isClosed { return }
                    let answered = Mutex(false)
                    DispatchQueue.global().asyncAfter(deadline: .now() + 10) {
                        if !answered.withLock({ $0 }) { conn.abort("no pong within 10s") }
                    }
                    let ok = await conn.ping()
                    answered.withLock { $0 = true }
                    if !ok { conn.abort("ping failed"); return }
                }
            }
            await g.next()
            g.cancelAll()
        }
    }

    /// Sends `req` on the current connection. `timeoutSeconds` bounds the whole request,
    /// the wait for a connection included.
    public func request(_ req: Request, timeoutSeconds: Double? = nil) async throws(Status) -> Reply {
        guard let timeoutSeconds else { return try await connection().request(req) }
        if let c = state.withLock({ $0.connection }), !c.isClosed { return try await c.request(req, timeoutSeconds: timeoutSeconds) }
        let start = Monotonic.seconds()
        let conn = try await connection(within: timeoutSeconds)
        let left = timeoutSeconds - (Monotonic.seconds() - start)
        guard left > 0 else { throw Status.timeout("the server did not answer within \(timeoutSeconds)s") }
        return try await conn.request(req, timeoutSeconds: left)
    }

    /// Starts a watch on the current connection (see `WireConnection.watch`).
    public func watch(_ req: Request) async throws(Status) -> AsyncThrowingStream<WatchEvent, any Error> {
        try await connection().watch(req)
    }
}
