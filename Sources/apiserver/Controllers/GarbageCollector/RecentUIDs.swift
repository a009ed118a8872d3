import Synchronization

/// A bounded set of UIDs (or keys made from one) the collector learnt something lasting
/// about: owner references a live read found absent (Kubernetes' absentOwnerCache, keyed by
/// the reference and the namespace it was looked up in; a UID is never reused, so an owner
/// once absent there stays absent, and many dependents of one deleted owner cost one read),
/// and owners it orphaned. The oldest entries go first.
///
/// Thread-safety: any task.
final class RecentUIDs: Sendable {
    private struct State {
        var set: Set<String> = []
        var order: [String] = []
        var head = 0
    }
    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 500) { self.capacity = capacity }

    func contains(_ uid: String) -> Bool { state.withLock { $0.set.contains(uid) } }

    func add(_ uid: String) {
        state.withLock { s in
            guard s.set.insert(uid).inserted else { return }
            s.order.append(uid)
            if s.set.count > capacity {
                s.set.remove(s.order[s.head])
                s.head += 1
                if s.head > capacity {
                    s.order.removeFirst(s.head)
                    s.head = 0
                }
            }
        }
    }
}
