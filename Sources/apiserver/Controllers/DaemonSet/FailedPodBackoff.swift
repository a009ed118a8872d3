import Synchronization

/// Back-off between replacing failed daemon pods on one node (client-go's `flowcontrol.Backoff`
/// as the daemon controller uses it: 1 s doubling to 15 min, per DaemonSet and node), so a
/// node that keeps failing the pod (a kubelet rejecting it) is not hot-looped.
final class FailedPodBackoff: Sendable {
    private struct Entry { var delay: Double; var last: Double }
    let initial: Double
    let maximum: Double
    private let entries = Mutex<[String: Entry]>([:])

    init(initial: Double = 1, maximum: Double = 900) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait left before the next failed pod under `key` may be replaced; nil: none.
    func remaining(_ key: String, now: Double) -> Double? {
        entries.withLock { e in
            guard let entry = e[key], now - entry.last < entry.delay else { return nil }
            return entry.delay - (now - entry.last)
        }
    }

    /// Records a replacement: the next one waits twice as long (back to `initial` once the
    /// entry is older than twice the maximum).
    func next(_ key: String, now: Double) {
        entries.withLock { e in
            if let entry = e[key], now - entry.last <= 2 * maximum {
                e[key] = Entry(delay: min(entry.delay * 2, maximum), last: now)
            } else {
                e[key] = Entry(delay: initial, last: now)
            }
        }
    }
}
