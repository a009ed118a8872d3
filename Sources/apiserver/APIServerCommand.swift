import ArgumentParser
import Foundation
import ControllerRuntime
import Logging

/// `apiserver [serve] --listen ... --data-dir ...` runs the hub; `apiserver controllers` and
/// `apiserver scheduler` run the controller manager and the scheduler as processes of their
/// own against it; `apiserver backup` copies its database. `serve` is the default, so the
/// plain form (and the systemd units) keep working.
@main
struct APIServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apiserver",
        abstract: "Skiff's hub: the API over TCP, backed by SQLite.",
        version: APIServerConfig.version,
        subcommands: [ServeCommand.self, ControllersCommand.self, SchedulerCommand.self, BackupCommand.self],
        defaultSubcommand: ServeCommand.self)
}

/// `apiserver serve`: parses flags and runs the `APIServer` component until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the hub (the default when no subcommand is given).")

    @Option(help: "Address to listen on (HOST:PORT; port 0 picks a free one).")
    var listen = "127.0.0.1:6443"

    @Option(help: "Directory for the database and the admin.token / node.token files.")
    var dataDir = "/var/lib/skiff/apiserver"

    @Option(help: "Largest frame accepted, in bytes.")
    var maxFrameBytes = FrameLimits.default.maxFrameBytes

    @Option(help: "Largest object accepted, in bytes.")
    var maxObjectBytes = FrameLimits.default.maxObjectBytes

    @Option(help: "Delete events this long after they last happened (e.g. 1h).")
    var eventTtl = "1h"

    @Option(help: "Keep at least this much watch history (e.g. 5m).")
    var historyWindow = "5m"

    @Option(help: "How often to compact history (e.g. 30s).")
    var compactionInterval = "30s"

    @Option(help: "Close connections that send no hello within this long (e.g. 10s).")
    var handshakeTimeout = "10s"

    @Option(help: "Most client connections open at once; past it new ones get a 503 and are closed. Default: the open-file limit (raised to the hard limit at start) minus 128.")
    var maxConnections: Int?

    @OptionGroup(title: "Controllers (with --no-controllers: give them to `apiserver controllers`)") var controllerOptions: ControllerOptions

    @OptionGroup(title: "Leader election") var leaderElection: LeaderElectionOptions

    @Flag(help: "Do not run the controller manager and the scheduler here (run `apiserver controllers` and `apiserver scheduler`).")
    var noControllers = false

    @Option(help: "Log level: debug, info, warning, error.")
    var logLevel = "info"

    func run() async throws {
        let files = DaemonProcess.prepare()
        guard let level = LogfmtHandler.level(logLevel) else { throw ValidationError("--log-level must be debug, info, warning or error") }
        LoggingSystem.bootstrap { LogfmtHandler(label: $0, level: level) }
        guard let hp = HostPort(listen) else { throw ValidationError("--listen must be HOST:PORT, got \"\(listen)\"") }
        var config = APIServerConfig()
        config.listen = hp
        config.dataDir = dataDir
        // A frame header holds 32 bits; an object must fit in a frame with its envelope.
        guard (65536...Int(UInt32.max)).contains(maxFrameBytes) else {
            throw ValidationError("--max-frame-bytes must be from 65536 to 4294967295, got \(maxFrameBytes)")
        }
        guard maxObjectBytes >= 1024, maxObjectBytes <= maxFrameBytes - 65536 else {
            throw ValidationError("--max-object-bytes must be from 1024 to --max-frame-bytes minus 65536 (\(maxFrameBytes - 65536)), got \(maxObjectBytes)")
        }
        config.limits = FrameLimits(maxFrameBytes: maxFrameBytes, maxObjectBytes: maxObjectBytes)
        config.controllers = !noControllers
        config.exitOnStoreFailure = true
        try controllerOptions.apply(to: &config)
        config.eventTTLSeconds = try Duration.parse(eventTtl, flag: "--event-ttl")
        config.store.historyWindowSeconds = try Duration.parse(historyWindow, flag: "--history-window")
        config.handshakeTimeoutSeconds = try Duration.parse(handshakeTimeout, flag: "--handshake-timeout", positive: true)
        config.store.compactionIntervalSeconds = try Duration.parse(compactionInterval, flag: "--compaction-interval", positive: true)
        config.leaderElection = try leaderElection.config()
        if let maxConnections {
            guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
            config.maxConnections = maxConnections
        }
        Logger(label: "apiserver").info("open-file limit", metadata: ["soft": .string(String(files.soft)), "hard": .string(String(files.hard)),
                                                                      "maxConnections": .string(String(config.maxConnections))])
        let server = APIServer(config: config)
        _ = try await server.start()
        await Signals.waitForTermination()
        await server.shutdown()
    }
}
