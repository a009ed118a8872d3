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
    private let inflight = Atomic<Int>(0)
    let connections = Mutex<[ObjectIdentifier: ServerConnection]>([:])

    init(config: APIServerConfig, service: APIService, authenticator: Authenticator, logger: Logger, version: String) {
        self.config = config
        self.service = service
        self.authenticator = authenticator
        self.logger = logger
        self.version = version
    }

    /// Takes one slot of the server-wide in-flight budget; false when it is spent.
    func admit() -> Bool {
        let n = inflight.add(1, ordering: .relaxed).newValue
        if n > config.maxInflight {
            inflight.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func release() { inflight.subtract(1, ordering: .relaxed) }

    var inflightCount: Int { inflight.load(ordering: .relaxed) }

    func remember(_ c: ServerConnection) { connections.withLock { $0[ObjectIdentifier(c)] = c } }
    func forget(_ c: ServerConnection) { _ = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(c)) } }
}
