import ControllerRuntime

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
    /// Watches one connection may have open (they do not count as requests). Default 1024.
    var maxWatchesPerConnection = 1024
    /// Watches the whole server may have open. Default 65536.
    var maxWatches = 65536
    /// New requests on a connection with more than this many reply bytes unread get 429, and
    /// so does a read whose answer is ready when that many are unread. Default 64 MiB.
    var maxPendingReplyBytes = 64 << 20
    /// A connection's next list starts only once fewer reply bytes than this wait unread
    /// (and a watch's initial state goes out in pages at this pace). Default 4 MiB.
    var listStartBelowPendingBytes = 4 << 20
    /// Largest frame accepted before the hello. Default 64 KiB.
    var preAuthMaxFrameBytes = 64 << 10
    /// A connection whose queued output makes no progress for this long is closed (a peer
    /// with a zero window cannot pin its buffers forever). Default 60 s.
    var writeTimeoutSeconds: Double = 60
    /// Connections open at once; past it a new connection is sent a 503 error frame and
    /// closed. Default: the open-file limit when the config is made (the apiserver raises
    /// it at start) minus `DescriptorBudget.reserve` (128), at least 16.
    var maxConnections = APIServerConfig.defaultMaxConnections()
    /// A connection that has not said hello by then is closed. Default 10 s.
    var handshakeTimeoutSeconds: Double = 10
    /// Exit the process when a COMMIT fails in a way that may still have reached the disk.
    /// Default false (in-process servers); the `apiserver` command sets it.
    var exitOnStoreFailure = false
    /// Run the controller manager's loops and the scheduler in this process (each under its
    /// leader Lease). Default true; `--no-controllers` leaves them to `apiserver controllers`
    /// and `apiserver scheduler` processes.
    var controllers = true
    /// Run the apiserver's own loops (event TTL, the identity Lease and its GC), with or
    /// without `controllers`. Default true; in-process test servers turn them off.
    var apiserverLoops = true
    /// The identity Lease's host and timing.
    var identity = APIServerIdentityConfig()
    /// A node whose Lease is not renewed for this long is marked Unknown. Default 50 s.
    var nodeMonitorGracePeriodSeconds: Double = 50
    /// How often the node lifecycle controller checks. Default 5 s.
    var nodeMonitorPeriodSeconds: Double = 5
    /// The scheduler's retry back-off for an unschedulable pod: from the initial delay,
    /// doubling up to the max (kube-scheduler's podInitialBackoffSeconds 1 and
    /// podMaxBackoffSeconds 10). Node and pod changes retry at once regardless.
    var schedulerInitialBackoffSeconds: Double = 1
    var schedulerMaxBackoffSeconds: Double = 10
    /// Timing of the controller manager's and scheduler's leader election (lease 15 s,
    /// renew deadline 10 s, retry 2 s by default).
    var leaderElection = LeaderElectionConfig()
    /// Pod GC deletes the oldest Succeeded/Failed pods beyond this many; 0 turns that part
    /// off. Default 12,500 (kube-controller-manager's `--terminated-pod-gc-threshold`).
    var terminatedPodGCThreshold = 12_500
    /// Events not repeated for this long are deleted. Default 1 h.
    var eventTTLSeconds: Double = 3600
    /// How long a `proxy` request waits for the kubelet's answer before 504. Default 30 s.
    var proxyTimeoutSeconds: Double = 30

    static let version = "v0.1.0"

    /// The process's connection budget: the open-file limit minus the descriptors kept for
    /// the database, read connections, event loops, logs and the runtime (`DescriptorBudget`).
    static func defaultMaxConnections() -> Int { DescriptorBudget.limit }
}
