import Foundation

/// Timing of leader election, with kube-controller-manager's and kube-scheduler's defaults
/// (`--leader-elect-lease-duration`, `--leader-elect-renew-deadline`,
/// `--leader-elect-retry-period`).
public struct LeaderElectionConfig: Sendable, Equatable {
    /// How long a candidate waits, after it last saw the Lease record change, before it may
    /// take the Lease over. Default 15 s.
    public var leaseDuration: Double = 15
    /// A leader that has not renewed for this long stops its loops. Default 10 s.
    public var renewDeadline: Double = 10
    /// Between attempts to acquire or renew. Default 2 s.
    public var retryPeriod: Double = 2
    /// Attempts to acquire wait `retryPeriod` plus up to this fraction of it more, at random
    /// (client-go's `JitterFactor`), so candidates do not move in step. Default 1.2.
    public var jitterFactor: Double = 1.2
    /// On a clean stop the leader empties `holderIdentity` so a successor takes over at once
    /// (client-go's `ReleaseOnCancel`). Default true.
    public var releaseOnCancel = true

    public init() {}

    /// `<hostname>_<random uuid>`, as kube-controller-manager and kube-scheduler name
    /// themselves: unique per process, readable in `ctl get lease`.
    public static func processIdentity() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0 ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        return host + "_" + UUID().uuidString.lowercased()
    }
}
