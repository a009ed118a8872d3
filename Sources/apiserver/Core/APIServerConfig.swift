/// Everything the apiserver can be told, each with its default.
struct APIServerConfig: Sendable {
    /// Default `127.0.0.1:6443`.
    var listen = HostPort(host: "127.0.0.1", port: 6443)
    /// Default `/var/lib/skiff/apiserver`: the database, tokens and anything else it keeps.
    var dataDir = "/var/lib/skiff/apiserver"
    var limits = FrameLimits.default
    var store = StoreConfig()
    var watch = WatchConfig()
    /// Requests one connection may have in flight. Default 1024.
    var maxInflightPerConnection = 1024
    /// Requests the whole server may have in flight. Default 16384.
    var maxInflight = 16384
    /// New requests on a connection with more than this many reply bytes unread get 429.
    /// Default 64 MiB.
    var maxPendingReplyBytes = 64 << 20
    /// Connections open at once; past it a new connection is sent a 503 error frame and
    /// closed. Default: the open-file limit when the config is made (the apiserver raises
    /// it at start) minus `DescriptorBudget.reserve` (128), at least 16.
    var maxConnections = APIServerConfig.defaultMaxConnections()
    /// A connection that has not said hello by then is closed. Default 10 s.
    var handshakeTimeoutSeconds: Double = 10
    /// How often watchers that asked for bookmarks get one. Default 10 s.
    var bookmarkIntervalSeconds: Double = 10
    /// Run the built-in controllers (namespace, node lifecycle). Default true.
    var controllers = true
    /// A node whose Lease is not renewed for this long is marked Unknown. Default 50 s.
    var nodeMonitorGracePeriodSeconds: Double = 50
    /// How often the node lifecycle controller checks. Default 5 s.
    var nodeMonitorPeriodSeconds: Double = 5
    /// Events not repeated for this long are deleted. Default 1 h.
    var eventTTLSeconds: Double = 3600
    /// How long a `proxy` request waits for the kubelet's answer before 504. Default 30 s.
    var proxyTimeoutSeconds: Double = 30

    static let version = "v0.1.0"

    /// The process's connection budget: the open-file limit minus the descriptors kept for
    /// the database, read connections, event loops, logs and the runtime (`DescriptorBudget`).
    static func defaultMaxConnections() -> Int { DescriptorBudget.limit }
}
