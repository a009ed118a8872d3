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
}
