import ArgumentParser
import KubeletCore

/// A real node's resource flags: what it keeps back from pods, and its pods' cgroups.
struct NodeResourceOptions: ParsableArguments {
    @Option(help: "Resources kept for the system, e.g. cpu=500m,memory=1Gi,ephemeral-storage=1Gi,pid=1000.")
    var systemReserved = ""
    @Option(help: "Resources kept for Kubernetes components (same syntax as --system-reserved).")
    var kubeReserved = ""
    @Option(help: "Hard eviction thresholds, SIGNAL<AMOUNT pairs (a given list replaces the default).")
    var evictionHard = EvictionThreshold.defaultHard
    @Option(help: "How often the eviction manager judges memory pressure, and the least time between two evictions (Kubernetes: 10s).")
    var evictionMonitoringPeriod = "10s"
    @Option(help: "The pods' cgroups go below this path in each cgroup hierarchy (default: skiff/<node name>).")
    var cgroupRoot: String?
    @Option(help: "The most processes a pod may run (its pod cgroup's pids.max); -1: unlimited.")
    var podPidsLimit: Int64 = -1

    /// Parsed `--system-reserved`, `--kube-reserved` and `--eviction-hard`.
    func reservations() throws -> NodeReservations {
        do {
            return NodeReservations(systemReserved: try NodeReservations.parseReserved(systemReserved, flag: "--system-reserved"),
                                    kubeReserved: try NodeReservations.parseReserved(kubeReserved, flag: "--kube-reserved"),
                                    evictionHard: try EvictionThreshold.parseList(evictionHard))
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// `--eviction-monitoring-period` in seconds.
    func evictionInterval() throws -> Double {
        try Duration.parse(evictionMonitoringPeriod, flag: "--eviction-monitoring-period", positive: true)
    }

    /// The `host` runtime's settings with `--cgroup-root` and `--pod-pids-limit` applied.
    func runtimeConfig(stateDirectory: String, nodeName: String) throws -> HostRuntimeConfig {
        let root = cgroupRoot ?? "skiff/\(nodeName)"
        let trimmed = root.split(separator: "/").joined(separator: "/")
        if let problem = CgroupManager.pathProblem(trimmed) { throw ValidationError("--cgroup-root \"\(root)\": \(problem)") }
        guard podPidsLimit == -1 || podPidsLimit > 0 else { throw ValidationError("--pod-pids-limit must be -1 or positive") }
        var config = HostRuntimeConfig(stateDirectory: stateDirectory)
        config.cgroupRoot = trimmed
        config.podPidsLimit = podPidsLimit
        return config
    }
}
