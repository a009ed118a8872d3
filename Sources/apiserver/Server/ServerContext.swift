import Logging
import Synchronization

/// What every connection shares: configuration, the API, authentication, admission
/// counters, and the table of open connections.
final class ServerContext: Sendable {
    let config: APIServerConfig
    let service: APIService
    let authenticator: Authenticator
    let logger: Logger
    let version: String
    private let inflight: SlotBudget
    private let watches: SlotBudget
    /// One "handshake refused" / "protocol error" line per second at most, with a count of the rest.
    let handshakeLog = LogThrottle()
    let protocolErrorLog = LogThrottle()
    let connections = Mutex<[ObjectIdentifier: ServerConnection]>([:])
    let batcher = RequestBatcher()

    init(config: APIServerConfig, service: APIService, authenticator: Authenticator, logger: Logger, version: String) {
        self.config = config
        self.service = service
        self.authenticator = authenticator
        self.logger = logger
        self.version = version
        inflight = SlotBudget(limit: config.maxInflight)
        watches = SlotBudget(limit: config.maxWatches)
    }

    /// Server-wide slots for requests in flight (`maxInflight`) and for open watches
    /// (`maxWatches`).
    var requestSlots: SlotBudget { inflight }
    var watchSlots: SlotBudget { watches }
    var inflightCount: Int { inflight.used }
    var watchCount: Int { watches.used }

    func remember(_ c: ServerConnection) { connections.withLock { $0[ObjectIdentifier(c)] = c } }
    func forget(_ c: ServerConnection) { _ = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(c)) } }
    var connectionCount: Int { connections.withLock { $0.count } }
}

/// Requests read in one round of the event loop, started together: a task per core takes a
/// share and runs it in order, instead of a task (and a thread wake-up) per request.
/// Only quick verbs are batched; lists and watches get tasks of their own.
///
/// Thread-safety: `add` and `flush` run on the loop thread only.
final class RequestBatcher: @unchecked Sendable {
    typealias Work = @Sendable () async -> Void
    private var pending: [Work] = []
    /// Tasks a round is split across. Default 2 (this machine's cores).
    let lanes: Int

    init(lanes: Int = 2) { self.lanes = max(1, lanes) }

    func add(_ w: @escaping Work) { pending.append(w) }

    func flush() {
        guard !pending.isEmpty else { return }
        let all = pending
        pending.removeAll(keepingCapacity: true)
        let size = (all.count + lanes - 1) / lanes
        var start = 0
        while start < all.count {
            let share = Array(all[start..<min(all.count, start + size)])
            Task { for w in share { await w() } }
            start += size
        }
    }
}

/// A count of taken slots with a limit, shared by every connection.
///
/// Thread-safety: any thread.
final class SlotBudget: Sendable {
    let limit: Int
    private let taken = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Takes one slot; false (and nothing taken) when all are taken.
    func take() -> Bool {
        if taken.add(1, ordering: .relaxed).newValue > limit {
            taken.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func give() { taken.subtract(1, ordering: .relaxed) }

    var used: Int { taken.load(ordering: .relaxed) }
}
