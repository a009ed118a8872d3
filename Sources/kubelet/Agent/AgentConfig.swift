/// How one node agent behaves; every field has a documented default.
struct AgentConfig: Sendable {
    var nodeName: String
    /// Extra labels (`--node-labels`), on top of hostname/os/arch.
    var labels: [String: String] = [:]
    /// `--node-lease-duration`, default 40 s; the Lease is renewed every quarter of it.
    var leaseDurationSeconds: Double = 40
    /// Node status is written when it changes, when the server's copy disagrees, and at
    /// least this often. Default 5 minutes.
    var statusReportSeconds: Double = 300
    /// Watch our own Node to notice when the server's view (e.g. Ready=Unknown) differs.
    /// Simulated nodes skip it. Default true.
    var watchOwnNode = true

    var renewIntervalSeconds: Double { leaseDurationSeconds / 4 }
    /// Each renewal request's deadline: the renew interval (10 s by default), at least 1 s,
    /// so several tries fit in one lease duration.
    var renewTimeoutSeconds: Double { max(1, renewIntervalSeconds) }
    /// A status write's deadline: the lease duration (40 s by default); status runs beside
    /// the renewals, so a slow write does not delay them.
    var statusTimeoutSeconds: Double { leaseDurationSeconds }
}
