import Synchronization

/// Identifies one handler of a `SharedInformer`, for `removeHandler`.
public struct HandlerRegistration: Hashable, Sendable {
    let id: Int
}

/// Informer handlers that belong to one run of some loops: every handler registered by a
/// task running with this scope as `HandlerScope.current` (child tasks and `Task {}` inherit
/// it) is removed when the scope closes. `LeaderElector` runs each term of leadership in a
/// scope of its own, so loops that stop when leadership is lost leave no handler behind on
/// the shared informers, and the next term registers afresh (getting the cache as adds).
///
/// Thread-safety: any task.
public final class HandlerScope: Sendable {
    @TaskLocal public static var current: HandlerScope?

    private struct State {
        var removals: [@Sendable () -> Void] = []
        var closed = false
    }
    private let state = Mutex(State())

    public init() {}

    /// Keeps `removal` for `close`; false (and nothing kept) when already closed.
    func adopt(_ removal: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { s in
            if s.closed { return false }
            s.removals.append(removal)
            return true
        }
    }

    /// Removes every handler registered in this scope; later registrations in it are
    /// removed at once.
    public func close() {
        let removals = state.withLock { s in
            s.closed = true
            defer { s.removals = [] }
            return s.removals
        }
        for r in removals { r() }
    }

    /// Handlers registered in this scope and not removed yet.
    public var count: Int { state.withLock { $0.removals.count } }
}
