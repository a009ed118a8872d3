import Synchronization

/// UIDs of owners a live read found absent (Kubernetes' absentOwnerCache). A UID is never
/// reused, so an owner once absent stays absent: many dependents of one deleted owner cost
/// one read, not one each. Bounded; the oldest entries go first.
///
/// Thread-safety: any task.
final class AbsentOwnerCache: Sendable {
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
