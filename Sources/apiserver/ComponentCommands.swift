import ArgumentParser
import ControllerRuntime
import Foundation
import Logging

/// Controller settings, shared by `serve` (controllers in the hub) and `controllers`.
struct ControllerOptions: ParsableArguments {
    @Option(help: "Mark a node Unknown when its Lease is not renewed for this long (e.g. 50s, 2m).")
    var nodeMonitorGracePeriod = "50s"

    @Option(help: "How often the node lifecycle controller checks leases (e.g. 5s).")
    var nodeMonitorPeriod = "5s"

    @Option(help: "Pod GC deletes the oldest terminated pods beyond this many; 0 turns that off.")
    var terminatedPodGcThreshold = 12_500

    func apply(to config: inout APIServerConfig) throws {
        config.nodeMonitorGracePeriodSeconds = try Duration.parse(nodeMonitorGracePeriod, flag: "--node-monitor-grace-period", positive: true)
        config.nodeMonitorPeriodSeconds = try Duration.parse(nodeMonitorPeriod, flag: "--node-monitor-period", positive: true)
        guard terminatedPodGcThreshold >= 0 else { throw ValidationError("--terminated-pod-gc-threshold must be 0 or more, got \(terminatedPodGcThreshold)") }
        config.terminatedPodGCThreshold = terminatedPodGcThreshold
    }
}

/// The leader-election timings, shared by `serve`, `controllers` and `scheduler`.
struct LeaderElectionOptions: ParsableArguments {
    @Option(help: "Leader election: a candidate takes the Lease over once it has seen it unchanged for this long (e.g. 15s).")
    var leaderElectLeaseDuration = "15s"

    @Option(help: "Leader election: a leader that could not renew for this long stops its loops (e.g. 10s).")
    var leaderElectRenewDeadline = "10s"

    @Option(help: "Leader election: time between attempts to acquire or renew (e.g. 2s).")
    var leaderElectRetryPeriod = "2s"

    /// The three timings, checked as client-go checks them.
    func config() throws -> LeaderElectionConfig {
        var le = LeaderElectionConfig()
        le.leaseDuration = try Duration.parse(leaderElectLeaseDuration, flag: "--leader-elect-lease-duration", positive: true)
        le.renewDeadline = try Duration.parse(leaderElectRenewDeadline, flag: "--leader-elect-renew-deadline", positive: true)
        le.retryPeriod = try Duration.parse(leaderElectRetryPeriod, flag: "--leader-elect-retry-period", positive: true)
        if le.leaseDuration <= le.renewDeadline {
            throw ValidationError("--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline")
        }
        if le.renewDeadline <= le.jitterFactor * le.retryPeriod {
            throw ValidationError("--leader-elect-renew-deadline must be greater than 1.2 times --leader-elect-retry-period")
        }
        if le.leaseDuration < 1 { throw ValidationError("--leader-elect-lease-duration must be at least 1s") }
        return le
    }
}

/// How a controller-manager or scheduler process reaches the hub.
struct HubConnectionOptions: ParsableArguments {
    @Option(help: "The apiserver's HOST:PORT.")
    var server = "127.0.0.1:6443"

    @Option(help: "A token that may write what this process writes: the admin token (DATA_DIR/admin.token on the apiserver host), or @FILE to read it from a file.")
    var token = ""

    @Option(help: "Log level: debug, info, warning, error.")
    var logLevel = "info"

    func resolvedToken() throws -> String {
        if token.hasPrefix("@") {
            guard let t = try? String(contentsOfFile: String(token.dropFirst()), encoding: .utf8) else {
                throw ValidationError("cannot read the token file \(token.dropFirst())")
            }
            let trimmed = t.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw ValidationError("the token file \(token.dropFirst()) is empty") }
            return trimmed
        }
        if token.isEmpty { throw ValidationError("--token is required (the apiserver's admin.token, or @FILE)") }
        return token
    }

    /// Runs the loops of `lease` against the hub until SIGTERM/SIGINT, then stops them and
    /// releases the Lease (if held) so a standby takes over at once.
    func run(_ lease: LeaderLease, config: APIServerConfig) async throws {
        DaemonProcess.prepare()
        guard let level = LogfmtHandler.level(logLevel) else { throw ValidationError("--log-level must be debug, info, warning or error") }
        guard let address = HostPort(server) else { throw ValidationError("--server must be HOST:PORT, got \"\(server)\"") }
        let token = try resolvedToken()
        LoggingSystem.bootstrap { LogfmtHandler(label: $0, level: level) }
        let logger = Logger(label: lease.rawValue)
        let manager = ControllerManager(address: address, token: token, config: config, leases: [lease], apiserverLoops: false,
                                        clientName: lease.rawValue, logger: logger)
        logger.info("started; campaigning for the lease", metadata: ["server": .string(address.description),
                                                                     "lease": .string("\(LeaderLease.namespace)/\(lease.rawValue)"),
                                                                     "identity": .string(manager.identity)])
        await Signals.waitForTermination()
        logger.info("stopping")
        await manager.stop()
        logger.info("stopped")
    }
}

/// `apiserver controllers --server HOST:PORT --token TOKEN|@FILE`: the controller manager on
/// its own, as a client of the hub (which runs with `--no-controllers`).
struct ControllersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controllers",
        abstract: "Run the controller manager (the loops under kube-system/kube-controller-manager) against a hub.")

    @OptionGroup var hub: HubConnectionOptions
    @OptionGroup(title: "Controllers") var controllerOptions: ControllerOptions
    @OptionGroup(title: "Leader election") var leaderElection: LeaderElectionOptions

    func run() async throws {
        var config = APIServerConfig()
        try controllerOptions.apply(to: &config)
        config.leaderElection = try leaderElection.config()
        try await hub.run(.controllerManager, config: config)
    }
}

/// `apiserver scheduler --server HOST:PORT --token TOKEN|@FILE`: the scheduler on its own.
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Run the scheduler (under kube-system/kube-scheduler) against a hub.")

    @OptionGroup var hub: HubConnectionOptions
    @OptionGroup(title: "Leader election") var leaderElection: LeaderElectionOptions

    func run() async throws {
        var config = APIServerConfig()
        config.leaderElection = try leaderElection.config()
        try await hub.run(.scheduler, config: config)
    }
}
