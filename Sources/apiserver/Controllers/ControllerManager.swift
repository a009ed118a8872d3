import ControllerRuntime
import Logging

/// Runs the built-in controllers and the scheduler. Each is a client of the API over a real connection to
/// this apiserver (as it would be from another process), so they can move out later.
final class ControllerManager: Sendable {
    let client: Client
    let tasks: [Task<Void, Never>]
    let nodeEvents: EventRecorder
    let schedulerEvents: EventRecorder
    let evictionEvents: EventRecorder
    /// One list+watch per type for every controller here.
    let informers: SharedInformerFactory

    init(address: HostPort, token: String, config: APIServerConfig, logger: Logger) {
        let host = address.host == "0.0.0.0" || address.host == "::" ? "127.0.0.1" : address.host
        client = Client(config: ClientConfig(server: HostPort(host: host, port: address.port), token: token,
                                             clientName: "controller-manager", requestTimeoutSeconds: 30))
        let c = client
        let factory = SharedInformerFactory(client: c)
        factory.setTransform(.pods, PodCacheTransform.keepWhatControllersRead)
        informers = factory
        var tasks: [Task<Void, Never>] = []
        tasks.append(Task.detached { await NamespaceController(client: c, logger: logger).run(factory: factory) })
        let grace = config.nodeMonitorGracePeriodSeconds, period = config.nodeMonitorPeriodSeconds
        // Room for a RegisteredNode per node at startup in a 10,000-node cluster; what does
        // not fit is dropped (best effort) and logged by the controller.
        let events = EventRecorder(client: c, component: "node-controller", maxPending: 20_000)
        nodeEvents = events
        tasks.append(Task.detached {
            await NodeLifecycleController(client: c, logger: logger, gracePeriod: grace, period: period, events: events).run(factory: factory)
        })
        let evictions = EventRecorder(client: c, component: TaintEvictionController.component, maxPending: 10_000)
        evictionEvents = evictions
        tasks.append(Task.detached { await TaintEvictionController(client: c, logger: logger, events: evictions).run(factory: factory) })
        let ttl = config.eventTTLSeconds
        tasks.append(Task.detached { await EventTTLController(client: c, logger: logger, ttl: ttl, clock: factory.clock).run() })
        tasks.append(Task.detached { await GarbageCollector(client: c, logger: logger).run(factory: factory) })
        let schedEvents = EventRecorder(client: c, component: Scheduler.name, maxPending: 10_000)
        schedulerEvents = schedEvents
        let backoff = (config.schedulerInitialBackoffSeconds, config.schedulerMaxBackoffSeconds)
        tasks.append(Task.detached {
            await Scheduler(client: c, logger: logger, events: schedEvents, initialBackoff: backoff.0, maxBackoff: backoff.1).run(factory: factory)
        })
        tasks.append(Task.detached { await JobControllers.run(client: c, logger: logger, factory: factory) })
        self.tasks = tasks
        // Informers the controllers ask for from now on start as they are made; handlers
        // registered after a sync get the cached objects as adds first.
        factory.start()
    }

    func stop() {
        for t in tasks { t.cancel() }
        informers.shutDown()
        nodeEvents.close()
        schedulerEvents.close()
        evictionEvents.close()
        client.close()
    }
}
