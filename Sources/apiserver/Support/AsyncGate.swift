import Synchronization

/// A first-come first-served async lock: one holder at a time, waiters resume in order.
/// A connection's lists pass through one, so a client that pipelines many big lists gets
/// them produced one after another, each only once the previous reply has been read.
///
/// Thread-safety: any thread. Waiting is not cancellable: a cancelled waiter gets its turn,
/// sees the cancellation and releases at once.
final class AsyncGate: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    init() {}

    func acquire() async {
        await withCheckedContinuation { c in
            let now = state.withLock { s -> Bool in
                if !s.held {
                    s.held = true
                    return true
                }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiters.isEmpty {
                s.held = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}
