import Synchronization

/// Back-off between replacing failed daemon pods on one node (client-go's `flowcontrol.Backoff`
/// as the daemon controller uses it: 1 s doubling to 15 min, per DaemonSet and node), so a
/// node that keeps failing the pod (a kubelet rejecting it) is not hot-looped. Keys are
/// `<DaemonSet uid>/<node name>`; entries go with their DaemonSet or node, and any entry
/// older than twice the maximum (client-go's `Backoff.GC`) is dropped at the next write.
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
            e = e.filter { now - $0.value.last <= 2 * maximum }
            if let entry = e[key], now - entry.last <= 2 * maximum {
                e[key] = Entry(delay: min(entry.delay * 2, maximum), last: now)
            } else {
                e[key] = Entry(delay: initial, last: now)
            }
        }
    }

    func forget(daemonSetUID uid: String) { entries.withLock { e in e = e.filter { !$0.key.hasPrefix(uid + "/") } } }
    func forget(node name: String) { entries.withLock { e in e = e.filter { !$0.key.hasSuffix("/" + name) } } }

    /// How many entries are held (for tests).
    var count: Int { entries.withLock { $0.count } }
}
