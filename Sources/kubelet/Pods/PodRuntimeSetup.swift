import ArgumentParser
import ControllerRuntime
import KubeletCore
import Logging
import Synchronization

/// Runs this node's pods: the `host` runtime under `<root dir>/runtime/host`, a pod
/// informer limited to `spec.nodeName=<node>`, and the `PodManager` behind it.
struct PodRuntimeSetup {
    /// Runtime handlers this kubelet can run.
    static let handlers: Set<String> = [HostRuntime.handlerName]
    /// The CRI API versions this kubelet speaks, best first (CRI's negotiation picks the
    /// highest the runtime also speaks).
    static let criVersions = ["v1"]

    let runtime: HostRuntime
    let factory: SharedInformerFactory
    let informer: SharedInformer
    let manager: PodManager
    let eviction: EvictionManager
    private let evictionLoop = EvictionLoop()
    let logger: Logger

    init(client: Client, events: EventRecorder, logger: Logger, nodeName: String, rootDir: String, observer: HostObserver,
         runtimeConfig: HostRuntimeConfig, server: HostPort, defaultRuntimeHandler: String, maxPods: Int,
         evictionInterval: Double = 10) throws {
        do {
            runtime = try HostRuntime(config: runtimeConfig)
        } catch {
            throw ValidationError("cannot open the runtime's state under \(runtimeConfig.stateDirectory): \(error.message)")
        }
        let capacity = observer.capacity()
        let allocatable = observer.allocatable(capacity: capacity)
        let hostIP = HostObserver.localAddress(toward: server) ?? "127.0.0.1"
        var env = PodWorkerEnvironment(runtime: runtime, objects: ClientPodObjectSource(client: client),
                                       api: ClientPodAPI(client: client, events: events, logger: logger),
                                       nodeName: nodeName, rootDir: rootDir, hostIP: hostIP, allocatable: allocatable)
        env.nodeMemoryCapacity = ResourceAmount.bytes(capacity["memory"]) ?? 0
        env.defaultRuntimeHandler = defaultRuntimeHandler
        env.runtimeHandlers = Self.handlers
        manager = PodManager(environment: env, capacity: NodeAllocatable(allocatable, pods: maxPods))
        eviction = EvictionManager(pods: manager, signals: HostEvictionSignals(observer: observer, runtime: runtime),
                                   thresholds: observer.reservations.evictionHard, interval: evictionInterval)
        factory = SharedInformerFactory(client: client)
        informer = factory.informer(.pods, fieldSelector: "spec.nodeName=\(nodeName)")
        self.logger = logger
    }

    /// Asks the runtime which CRI API version it speaks with this kubelet (as the kubelet does
    /// at start); a runtime with none in common stops the kubelet with both lists named.
    func negotiate() async throws -> RuntimeVersion {
        do {
            return try await runtime.version(kubeletAPIVersions: Self.criVersions)
        } catch let e as RuntimeError {
            throw ValidationError("container runtime: \(e.message)")
        }
    }

    /// The eviction manager judges the node once before any pod is admitted (so a node
    /// under MemoryPressure refuses BestEffort pods from the start), then every interval.
    /// Once the first list is in: sandboxes of pods no longer bound here are removed, then
    /// every bound pod gets its worker (which re-adopts what still runs for it).
    func start() {
        factory.start()
        let informer = informer
        let manager = manager
        let logger = logger
        let eviction = eviction
        let evictionLoop = evictionLoop
        Task {
            await eviction.synchronize()
            evictionLoop.start(eviction)
            guard await informer.waitForSync() else { return }
            let bound = Set(informer.indexer.list().compactMap { $0["metadata"]["uid"].stringValue })
            await manager.removeOrphans(boundUIDs: bound)
            logger.info("pods synced", metadata: ["pods": .string("\(bound.count)")])
            informer.addHandler { await manager.handle($0) }
        }
    }

    /// Stops watching and the workers' loops; containers keep running (their monitors with
    /// them) for the next kubelet. An empty cgroup root goes (one with pods stays).
    func stop() async {
        factory.shutDown()
        evictionLoop.cancel()
        await manager.stopAll()
        runtime.shutdown()
        runtime.removeCgroupRootIfEmpty()
    }
}

/// The eviction manager's loop task, cancelled at shutdown (even when it has not started yet).
final class EvictionLoop: Sendable {
    private let task = Mutex<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))

    func start(_ eviction: EvictionManager) {
        task.withLock { t in
            guard !t.cancelled, t.task == nil else { return }
            t.task = Task { await eviction.run() }
        }
    }

    func cancel() {
        task.withLock { t in
            t.cancelled = true
            t.task?.cancel()
        }
    }
}
