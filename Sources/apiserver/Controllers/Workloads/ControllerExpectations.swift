import ControllerRuntime
import Synchronization

/// Kubernetes' `ControllerExpectations`: the creations and deletions a controller has asked
/// for and not yet seen in its informer. A sync waits (does nothing more for that owner)
/// until they are observed or expire, so it never overshoots before its cache catches up.
final class ControllerExpectations: Sendable {
    private struct Expectation {
        var adds: Int
        var dels: Int
        var setAt: Double
        /// UIDs whose deletion is awaited (so a deletion observed twice counts once).
        var deleting: Set<String> = []
    }

    /// Kubernetes' `ExpectationsTimeout`: a lost watch event cannot block a key forever.
    static let timeout = 300.0
    private let clock: any RuntimeClock
    private let state = Mutex<[String: Expectation]>([:])

    init(clock: any RuntimeClock) { self.clock = clock }

    /// True when nothing is awaited for `key` (or what was awaited expired).
    func satisfied(_ key: String) -> Bool {
        let now = clock.now
        return state.withLock { s in
            guard let e = s[key] else { return true }
            return (e.adds <= 0 && e.dels <= 0) || now - e.setAt > Self.timeout
        }
    }

    func expect(_ key: String, creations: Int = 0, deletingUIDs: [String] = []) {
        let now = clock.now
        state.withLock { $0[key] = Expectation(adds: creations, dels: deletingUIDs.count, setAt: now, deleting: Set(deletingUIDs)) }
    }

    func creationObserved(_ key: String) { state.withLock { s in s[key]?.adds -= 1 } }
    /// A create that failed will never be observed: stop waiting for it.
    func creationFailed(_ key: String) { creationObserved(key) }

    func deletionObserved(_ key: String, uid: String) {
        state.withLock { s in
            guard s[key]?.deleting.remove(uid) != nil else { return }
            s[key]?.dels -= 1
        }
    }

    func forget(_ key: String) { state.withLock { _ = $0.removeValue(forKey: key) } }
}
