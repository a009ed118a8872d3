import ArgumentParser
import Foundation
import Logging
import Synchronization

/// `kubelet simulate --nodes N`: N lightweight nodes in one process (kwok's job), each with
/// its own connection, Node, Lease and heartbeat timer, for testing the control plane at
/// scale. Prints lease-renew latency every `--report-interval` and at exit. By default its
/// nodes also run the pods bound to them, without processes (`SimulatedPods`).
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "simulate", abstract: "Run N simulated nodes in one process.")

    @OptionGroup var options: NodeOptions
    @Option(help: "How many nodes.") var nodes = 100
    @Option(help: "Node name prefix; nodes are PREFIX-0 ... PREFIX-(N-1).") var prefix = "sim"
    @Option(help: "Stop by itself after this long (e.g. 60s); default: run until SIGTERM.") var duration: String?
    @Option(help: "Print a latency line this often.") var reportInterval = "10s"
    @Option(help: "Spread node start-up over this long, so N nodes do not register at once.") var rampUp = "5s"
    @Option(help: "Move pods bound to the simulated nodes to Running (and finalize their deletion); false: leave them alone.")
    var simulatePods = true
    @Option(help: "Pod status writes in flight at most (one queue for all simulated nodes).") var podWorkers = 64

    func validate() throws {
        guard podWorkers > 0 else { throw ValidationError("--pod-workers must be at least 1") }
    }

    func run() async throws {
        try options.bootstrapLogging()
        let server = try options.serverAddress()
        let token = try options.resolvedToken()
        var base = try options.agentConfig(name: prefix)
        // One watch of all simulated Nodes serves every agent's "does the server agree?"
        // check (N watches would cost N streams for a rare event).
        base.watchOwnNode = false
        let viewClient = Client(config: ClientConfig(server: server, token: token, clientName: "kubelet-simulate/\(KubeletVersion.version)",
                                                     connectTimeoutMs: 30_000, requestTimeoutSeconds: 60))
        let nodeView = Informer(client: viewClient, type: .nodes, labelSelector: "type=simulated")
        let viewTask = Task { await nodeView.run { _ in } }
        let limit = try duration.map { try Duration.parse($0, flag: "--duration") }
        let every = try Duration.parse(reportInterval, flag: "--report-interval", positive: true)
        let ramp = try Duration.parse(rampUp, flag: "--ramp-up")
        let recorder = LatencyRecorder()
        let logger = Logger(label: "kubelet-simulate")
        let clients = ClientList()
        let pods = simulatePods ? SimulatedPods(view: viewClient, prefix: prefix, nodes: nodes, workers: podWorkers, logger: logger) : nil
        let podsTask = Task { await pods?.run() }
        var tasks: [Task<Void, Never>] = []
        let start = Timestamp.nowSeconds()
        for i in 0..<nodes {
            var config = base
            config.nodeName = "\(prefix)-\(i)"
            config.labels["type"] = "simulated"
            let delay = nodes > 1 ? ramp * Double(i) / Double(nodes) : 0
            let nodeConfig = config
            tasks.append(Task {
                // Each node dials only when its turn in the ramp comes.
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                if Task.isCancelled { return }
                let client = Client(config: ClientConfig(server: server, token: token, nodeName: nodeConfig.nodeName,
                                                         clientName: "kubelet-simulate/\(KubeletVersion.version)", connectTimeoutMs: 30_000,
                                                         requestTimeoutSeconds: 60))
                clients.add(client)
                pods?.register(node: nodeConfig.nodeName, client: client)
                let endpoints = KubeletEndpoints(config: nodeConfig, rootDir: nil, stats: nil)
                client.serve { req in await endpoints.handle(req) }
                await NodeAgent(client: client, config: nodeConfig, observer: SimulatedObserver(index: i), logger: logger, latency: recorder,
                                sharedNodeView: nodeView).run()
            })
        }
        say("simulate nodes=\(nodes) prefix=\(prefix) started")
        let reporter = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(every * 1000)))
                if Task.isCancelled { return }
                let xs = recorder.drain()
                say("renew t=\(Int(Timestamp.nowSeconds() - start))s \(LatencyRecorder.summary(xs))")
                if let pods { say("pods t=\(Int(Timestamp.nowSeconds() - start))s \(pods.counts.summary)") }
            }
        }
        // Until SIGTERM/SIGINT or, with --duration, until that has passed.
        await withTaskGroup(of: Void.self) { g in
            g.addTask { await Signals.waitForTermination() }
            if let limit { g.addTask { try? await Task.sleep(for: .milliseconds(Int(limit * 1000))) } }
            await g.next()
            g.cancelAll()
        }
        reporter.cancel()
        say("renew final \(LatencyRecorder.summary(recorder.drain()))")
        if let pods { say("pods final \(pods.counts.summary)") }
        podsTask.cancel()
        for t in tasks { t.cancel() }
        viewTask.cancel()
        clients.closeAll()
        viewClient.close()
    }
}

/// Fixed observations for simulated nodes: a small virtual machine.
struct SimulatedObserver: NodeObserver {
    /// The node's index: its fake InternalIP (`SimulatedPodStatus.hostIP`) derives from it.
    var index: Int

    func systemInfo() -> NodeSystemInfo {
        var i = NodeSystemInfo()
        i.kernelVersion = "simulated"
        i.osImage = "Skiff simulated node"
        i.operatingSystem = "linux"
        i.architecture = "amd64"
        i.kubeletVersion = KubeletVersion.version
        i.containerRuntimeVersion = "simulated://0.1.0"
        return i
    }

    func capacity() -> [String: Quantity] {
        ["cpu": Quantity("4"), "memory": Quantity("16Gi"), "ephemeral-storage": Quantity("100Gi"), "pods": Quantity("110")]
    }

    func addresses(reaching server: HostPort, hostname: String) -> [NodeAddress] {
        [NodeAddress(type: "InternalIP", address: SimulatedPodStatus.hostIP(nodeIndex: index)), NodeAddress(type: "Hostname", address: hostname)]
    }

    func pressure() -> ObservedPressure { .none }
}

/// One line on stdout, written at once (the report is read while the process runs); a
/// closed or full stdout loses the line, not the process.
func say(_ line: String) {
    RawOutput.standardOutput(line + "\n")
}

/// The simulated nodes' clients, closed together at exit.
final class ClientList: Sendable {
    private let clients = Mutex<[Client]>([])
    func add(_ c: Client) { clients.withLock { $0.append(c) } }
    func closeAll() { for c in clients.withLock({ $0 }) { c.close() } }
}
