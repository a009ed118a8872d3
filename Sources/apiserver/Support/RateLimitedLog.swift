import Synchronization

/// Lets a repeating log line through at most once per `interval`, counting the ones held
/// back so the next line can say how many (e.g. `accept4: Too many open files` under a
/// connection flood, which would otherwise be logged as often as the listener wakes).
///
/// Thread-safety: any thread.
final class RateLimitedLog: Sendable {
    private let interval: Double
    private let state = Mutex<(last: Double, suppressed: Int)>((-Double.infinity, 0))

    init(interval: Double = 1) { self.interval = interval }

    /// nil: stay quiet this time. Otherwise log now, mentioning the returned count of lines
    /// suppressed since the last one.
    func admit(now: Double = Timestamp.nowSeconds()) -> Int? {
        state.withLock { s in
            guard now - s.last >= interval else {
                s.suppressed += 1
                return nil
            }
            defer { s = (now, 0) }
            return s.suppressed
        }
    }
}
