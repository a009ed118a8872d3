/// The kubelet's container restart back-off (Kubernetes' `flowcontrol.Backoff` with 10 s
/// initial, 5 min cap): the first restart is at once, each later one waits twice as long as
/// the one before; a container that ran longer than twice the cap (10 min) since the last
/// restart starts over at 10 s. Times are seconds on the worker's clock.
public struct CrashLoopBackOff: Sendable {
    public var initial: Double = 10
    public var cap: Double = 300

    struct Entry {
        var delay: Double
        var lastUpdate: Double
    }
    private var entries: [String: Entry] = [:]

    public init(initial: Double = 10, cap: Double = 300) {
        self.initial = initial
        self.cap = cap
    }

    /// The current delay of `key`, if it is backing off.
    public func delay(_ key: String) -> Double? { entries[key]?.delay }

    /// True while a container that exited at `exitTime` must still wait before its restart.
    public func isInBackOff(_ key: String, since exitTime: Double, now: Double) -> Bool {
        guard let e = entries[key], exitTime - e.lastUpdate <= 2 * cap else { return false }
        return now - exitTime < e.delay
    }

    /// Records a restart at `now`: the next delay doubles (or starts at `initial`).
    public mutating func next(_ key: String, now: Double) {
        if let e = entries[key], now - e.lastUpdate <= 2 * cap {
            entries[key] = Entry(delay: min(e.delay * 2, cap), lastUpdate: now)
        } else {
            entries[key] = Entry(delay: initial, lastUpdate: now)
        }
    }

    public mutating func forget(_ key: String) { entries[key] = nil }

    /// Go's `time.Duration` text for whole seconds: `10s`, `1m20s`, `5m0s`.
    public static func goDuration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        return "\(s / 3600)h\((s % 3600) / 60)m\(s % 60)s"
    }
}
