import Synchronization

/// Lets through at most one log line per interval for one kind of event and counts the
/// rest, so a flood of peers (bad hellos, protocol errors) cannot flood the log.
///
/// Thread-safety: any thread.
public final class LogThrottle: Sendable {
    private struct State {
        var next: Double = 0
        var suppressed = 0
    }

    private let interval: Double
    private let state = Mutex(State())

    /// `interval`: seconds between lines. Default 1.
    public init(interval: Double = 1) { self.interval = interval }

    /// Non-nil when a line may be logged now: the number of events suppressed since the
    /// last line (to log with it).
    public func admit(now: Double = Monotonic.seconds()) -> Int? {
        state.withLock { s in
            guard now >= s.next else {
                s.suppressed += 1
                return nil
            }
            s.next = now + interval
            defer { s.suppressed = 0 }
            return s.suppressed
        }
    }
}
