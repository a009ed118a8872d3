import ArgumentParser
import Foundation
import Logging

/// `kubelet`: the node agent. `kubelet [run] --server ... --token ...` runs one real node;
/// `kubelet simulate --nodes N` runs N simulated nodes in one process.
@main
struct KubeletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubelet",
        abstract: "Skiff's node agent: registers the Node, renews its Lease, reports status.",
        version: KubeletVersion.version,
        subcommands: [RunCommand.self, SimulateCommand.self],
        defaultSubcommand: RunCommand.self)
}

/// Flags shared by real and simulated nodes.
struct NodeOptions: ParsableArguments {
    @Option(help: "The apiserver's HOST:PORT.") var server = "127.0.0.1:6443"
    @Option(help: "The node join token (DATA_DIR/node.token on the apiserver host), or @FILE to read it from a file.") var token = ""
    @Option(help: "Lease duration (40s); the Lease is renewed every quarter of it.") var nodeLeaseDuration = "40s"
    @Option(help: "Extra node labels: k=v,k2=v2.") var nodeLabels = ""
    @Option(help: "Write node status at least this often, e.g. 5m.") var nodeStatusReportFrequency = "5m"
    @Option(help: "Log level: debug, info, warning, error.") var logLevel = "info"

    func agentConfig(name: String) throws -> AgentConfig {
        var c = AgentConfig(nodeName: name)
        // The Lease carries it as whole seconds in an int32.
        c.leaseDurationSeconds = try Duration.parse(nodeLeaseDuration, flag: "--node-lease-duration", atMost: Double(Int32.max))
        guard c.leaseDurationSeconds >= 1 else { throw ValidationError("--node-lease-duration must be at least 1s") }
        c.statusReportSeconds = try Duration.parse(nodeStatusReportFrequency, flag: "--node-status-report-frequency", positive: true)
        for pair in nodeLabels.split(separator: ",") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, LabelSyntax.keyProblem(kv[0]) == nil, LabelSyntax.valueProblem(kv[1]) == nil else {
                throw ValidationError("--node-labels: \"\(pair)\" is not a valid key=value label")
            }
            c.labels[kv[0]] = kv[1]
        }
        return c
    }

    func resolvedToken() throws -> String {
        if token.hasPrefix("@") {
            guard let t = try? String(contentsOfFile: String(token.dropFirst()), encoding: .utf8) else {
                throw ValidationError("cannot read the token file \(token.dropFirst())")
            }
            return t.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if token.isEmpty { throw ValidationError("--token is required (the apiserver's node.token)") }
        return token
    }

    func serverAddress() throws -> HostPort {
        guard let hp = HostPort(server) else { throw ValidationError("--server must be HOST:PORT, got \"\(server)\"") }
        return hp
    }

    /// Daemon set-up (SIGPIPE ignored, open-file limit raised) and logging.
    func bootstrapLogging() throws {
        DaemonProcess.prepare()
        guard let level = LogfmtHandler.level(logLevel) else { throw ValidationError("--log-level must be debug, info, warning or error") }
        LoggingSystem.bootstrap { LogfmtHandler(label: $0, level: level) }
    }
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the node agent for this host.")

    @OptionGroup var options: NodeOptions
    @Option(help: "This node's name (default: the hostname).") var nodeName: String?
    @Option(help: "Directory for the kubelet's state; its file system is the node's ephemeral storage.") var rootDir = "/var/lib/skiff/kubelet"
    @OptionGroup var resources: NodeResourceOptions
    @Option(help: "The runtime handler for pods that name no RuntimeClass (this node runs: host).") var defaultRuntimeHandler = "host"
    @Option(help: "The most pods this node runs (its pods capacity).") var maxPods = 110

    func validate() throws {
        guard PodRuntimeSetup.handlers.contains(defaultRuntimeHandler) else {
            throw ValidationError("--default-runtime-handler: unknown handler \"\(defaultRuntimeHandler)\" (this node runs: host)")
        }
        guard maxPods >= 1 else { throw ValidationError("--max-pods must be at least 1") }
    }

    func run() async throws {
        try options.bootstrapLogging()
        // A SIGTERM that comes while starting is remembered (`DaemonProcess.prepare` caught it):
        // the kubelet then stops as soon as it has started.
        let terminated = Task { await Signals.waitForTermination() }
        let name = (nodeName ?? ProcessInfo.processInfo.hostName).lowercased()
        if let p = LabelSyntax.dns1123SubdomainProblem(name) { throw ValidationError("invalid node name \"\(name)\": \(p)") }
        try FileManager.default.createDirectory(atPath: rootDir, withIntermediateDirectories: true)
        let config = try options.agentConfig(name: name)
        var observer = HostObserver(rootDir: rootDir, runtimeVersion: "skiff-host://0.1.0", reservations: try resources.reservations())
        observer.maxPods = maxPods
        // The settings the pod workers' runtime is made with (flags checked before anything starts).
        let runtimeConfig = try resources.runtimeConfig(stateDirectory: rootDir + "/runtime/host", nodeName: name)
        let server = try options.serverAddress()
        let client = Client(config: ClientConfig(server: server, token: try options.resolvedToken(), nodeName: name,
                                                 clientName: "kubelet/\(KubeletVersion.version)", requestTimeoutSeconds: 30))
        var logger = Logger(label: "kubelet")
        logger[metadataKey: "node"] = .string(name)
        let endpoints = KubeletEndpoints(config: config, rootDir: rootDir, stats: HostStats(rootDir: rootDir))
        client.serve { req in await endpoints.handle(req) }
        let events = EventRecorder(client: client, component: "kubelet", host: name)
        let pods = try PodRuntimeSetup(client: client, events: events, logger: logger, nodeName: name, rootDir: rootDir, observer: observer,
                                       runtimeConfig: runtimeConfig, server: server, defaultRuntimeHandler: defaultRuntimeHandler, maxPods: maxPods,
                                       evictionInterval: try resources.evictionInterval())
        let runtime = pods.runtime
        let agent = NodeAgent(client: client, config: config, observer: observer, logger: logger, events: events,
                              cgroupProblem: { runtime.cgroupProblem })
        let cri = try await pods.negotiate()
        // logs and exec through the hub reach the pod workers' runtime.
        client.serveStreams(KubeletStreams.handler(runtime: pods.runtime, rootDir: rootDir))
        logger.info("kubelet starting", metadata: ["server": .string(server.description), "rootDir": .string(rootDir),
                                                   "cgroupRoot": .string(runtimeConfig.cgroupRoot ?? ""),
                                                   "runtime": .string("\(cri.runtimeName)://\(cri.runtimeVersion)"), "criAPI": .string(cri.runtimeAPIVersion)])
        let task = Task { await agent.run() }
        pods.start()
        await terminated.value
        await pods.stop()
        task.cancel()
        await events.flush(timeout: 2)
        events.close()
        client.close()
        logger.info("kubelet stopped")
    }
}
