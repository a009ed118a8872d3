import Foundation
import Logging

/// The hub daemon as a component that `main` and tests start alike: the store, the watch
/// hub, the API, the listener on its event loop, and the background loops.
///
/// Lifecycle: `start` once, then `shutdown` once; state is re-checked after every await.
actor APIServer {
    enum State {
        case initial
        case running(Running)
        case shuttingDown
        case shutdown
    }

    struct Running {
        var loop: EventLoop
        var listener: SocketListener
        var store: Store
        var hub: WatchHub
        var context: ServerContext
        var background: [Task<Void, Never>]
        var controllers: ControllerManager?
        var address: HostPort
    }

    let config: APIServerConfig
    let logger: Logger
    private var state = State.initial

    init(config: APIServerConfig, logger: Logger = Logger(label: "apiserver")) {
        self.config = config
        self.logger = logger
    }

    /// Opens the data dir and store, binds the listener and starts serving. Returns the
    /// address actually bound (the kernel's pick when the port was 0).
    func start() async throws -> HostPort {
        guard case .initial = state else { throw Status.internalError("apiserver already started") }
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let tokens = try Tokens.loadOrCreate(dataDir: config.dataDir)
        let hub = WatchHub(config: config.watch, latest: 0)
        let fatalLogger = logger, exitOnFailure = config.exitOnStoreFailure
        let nodeGraph = NodeGraph()
        let store = try Store(path: config.dataDir + "/skiff.db", config: config.store, publish: { hub.publish($0) },
                              observe: { nodeGraph.apply($0) },
                              onFatal: { why in Self.storeFailed(why, logger: fatalLogger, exit: exitOnFailure) })
        hub.state.withLock { $0.latest = store.revision }
        // Nothing writes before this: the graph sees every pod once, from here or from `observe`.
        try nodeGraph.load(from: store)
        let service = APIService(store: store, hub: hub, limits: config.limits, serverVersion: APIServerConfig.version,
                                 proxyTimeoutSeconds: config.proxyTimeoutSeconds, nodeGraph: nodeGraph)
        try await Bootstrap.ensureNamespaces(service)

        let context = ServerContext(config: config, service: service, authenticator: Authenticator(tokens: tokens),
                                    logger: logger, version: "skiff-apiserver/\(APIServerConfig.version)")
        let loop = try EventLoop(name: "apiserver-loop")
        loop.setIterationHook { context.batcher.flush() }
        let listener = try SocketListener(address: config.listen, loop: loop, limits: config.limits, onAccept: { framed in
            let sc = ServerConnection(framed: framed, server: context)
            context.remember(sc)
            do { try sc.start() } catch {
                context.forget(sc)
                framed.abort(reason: "cannot register: \(error)")
            }
        }, onError: Self.acceptErrorLog(logger), refusal: Self.connectionCap(context, logger),
           refusalWhenOut: Message.error(.unavailable("the apiserver is out of file descriptors; retry later")).frame)

        var background: [Task<Void, Never>] = []
        background.append(Self.every(1) { Self.closeSilentConnections(context) })
        background.append(Self.every(min(1, config.watch.bookmarkIntervalSeconds)) { hub.sendBookmarks() })
        let compactor = Compactor(store: store, logger: logger)
        background.append(Self.every(config.store.compactionIntervalSeconds) { await compactor.run() })

        let address = listener.address
        let controllers = config.controllers || config.apiserverLoops
            ? ControllerManager(address: address, token: tokens.admin, config: config, leases: config.controllers ? LeaderLease.allCases : [],
                                apiserverLoops: config.apiserverLoops, logger: logger)
            : nil
        state = .running(Running(loop: loop, listener: listener, store: store, hub: hub, context: context,
                                 background: background, controllers: controllers, address: address))
        logger.info("apiserver serving", metadata: ["listen": .string(address.description), "dataDir": .string(config.dataDir),
                                                     "revision": .string(String(store.revision))])
        return address
    }

    /// The store, for in-process tests and tools.
    var store: Store? {
        if case .running(let r) = state { return r.store }
        return nil
    }

    var hub: WatchHub? {
        if case .running(let r) = state { return r.hub }
        return nil
    }

    /// What every connection shares (limits, counters, the open connections), for tests.
    var context: ServerContext? {
        if case .running(let r) = state { return r.context }
        return nil
    }

    var address: HostPort? {
        if case .running(let r) = state { return r.address }
        return nil
    }

    /// Stops accepting, ends watches, lets in-flight requests finish (up to 5 s), commits
    /// what is queued, closes every connection and the database.
    func shutdown() async {
        guard case .running(let r) = state else { return }
        state = .shuttingDown
        logger.info("apiserver shutting down")
        await r.controllers?.stop()
        r.listener.stop()
        for t in r.background { t.cancel() }
        r.hub.endAll(.unavailable("the apiserver is shutting down"))
        let deadline = Date().addingTimeInterval(5)
        while r.context.inflightCount > 0 && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        r.store.close()
        let conns = r.context.connections.withLock { Array($0.values) }
        for c in conns { c.framed.close(reason: "apiserver shutting down") }
        try? await Task.sleep(for: .milliseconds(50))
        r.loop.stop()
        state = .shutdown
        logger.info("apiserver stopped")
    }

    /// A COMMIT failed and may have reached the disk anyway: the store answers nothing more,
    /// and the process exits (after a moment for the "outcome unknown" answers to go out) so
    /// that SQLite's recovery decides at restart (systemd restarts it).
    static func storeFailed(_ why: String, logger: Logger, exit: Bool) {
        logger.critical("the store failed to commit a write batch; exiting so that the database is recovered at restart",
                        metadata: ["error": .string(why)])
        guard exit else { return }
        Thread.sleep(forTimeInterval: 0.3)
        fflush(nil)
        _exit(1)
    }

    /// Logs failed accepts (EMFILE under a flood) at most once a second, with a count of
    /// the ones not logged.
    static func acceptErrorLog(_ logger: Logger) -> @Sendable (Errno) -> Void {
        let limiter = LogThrottle()
        return { e in
            guard let suppressed = limiter.admit() else { return }
            logger.warning("accept failed", metadata: ["error": .string(e.description), "suppressed": .string(String(suppressed))])
        }
    }

    /// Past `maxConnections` open connections, a new one gets a 503 error frame and is
    /// closed (logged at most once a second).
    static func connectionCap(_ context: ServerContext, _ logger: Logger) -> @Sendable () -> [UInt8]? {
        let limiter = LogThrottle()
        let cap = context.config.maxConnections
        return {
            guard context.connectionCount >= cap else { return nil }
            if let suppressed = limiter.admit() {
                logger.warning("connection refused: at --max-connections", metadata: ["max": .string(String(cap)),
                                                                                     "suppressed": .string(String(suppressed))])
            }
            return Message.error(.unavailable("the apiserver is at its connection limit (\(cap)); retry later")).frame
        }
    }

    /// Runs `work` every `seconds` until cancelled.
    static func every(_ seconds: Double, _ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                if Task.isCancelled { return }
                await work()
            }
        }
    }

    /// Closes connections that sent no hello in time, and those whose peer has taken none
    /// of their queued output for the write timeout (nothing can be sent to say why).
    static func closeSilentConnections(_ context: ServerContext) {
        let config = context.config
        let deadline = Timestamp.nowSeconds() - config.handshakeTimeoutSeconds
        let now = Monotonic.seconds()
        let conns = context.connections.withLock { Array($0.values) }
        for c in conns {
            if c.handshakeOverdue(before: deadline) {
                let s = Status.timeout("no hello within \(config.handshakeTimeoutSeconds)s")
                c.framed.close(reason: s.message, finalBytes: Message.error(s).frame)
            } else if c.framed.outputStalled(longerThan: config.writeTimeoutSeconds, now: now) {
                c.framed.abort(reason: "the peer took no output for \(Int(config.writeTimeoutSeconds)) s")
            }
        }
    }
}
