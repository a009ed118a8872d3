import ControllerRuntime
import Logging

/// Runs the built-in controllers and the scheduler, as clients of the API over a real
/// connection: in the hub (to itself) or in their own processes (`apiserver controllers`,
/// `apiserver scheduler`).
///
/// Every loop is one `ControllerLoop` entry in `loops` naming the leader Lease it runs
/// under: the loops of a Lease run only while this process holds it (leader election is
/// always on, as `--leader-elect=true`), stop when it is lost and start again when it is won
/// back. A process runs the loops of the Leases in `leases` only; the loops without a Lease
/// are the apiserver's own (event TTL, identity Lease) and run, all the time, only where
/// `apiserverLoops` is set (the hub).
final class ControllerManager: Sendable {
    let client: Client
    /// One list+watch per type for every controller here, kept across terms of leadership.
    let informers: SharedInformerFactory
    /// One per Lease that has loops, in `LeaderLease.allCases` order.
    let electors: [LeaderElector]
    let tasks: [Task<Void, Never>]
    let recorders: [EventRecorder]
    /// `<hostname>_<uuid>`: this process's holderIdentity in the leader Leases.
    let identity: String

    init(address: HostPort, token: String, config: APIServerConfig, leases: [LeaderLease] = LeaderLease.allCases,
         apiserverLoops: Bool = true, clientName: String = "controller-manager", logger: Logger) {
        let host = address.host == "0.0.0.0" || address.host == "::" ? "127.0.0.1" : address.host
        // Reconnects within 5 s of a restarted hub coming back.
        client = Client(config: ClientConfig(server: HostPort(host: host, port: address.port), token: token,
                                             clientName: clientName, requestTimeoutSeconds: 30), maxBackoff: 5)
        let c = client
        let factory = SharedInformerFactory(client: c)
        factory.setTransform(.pods, PodCacheTransform.keepWhatControllersRead)
        informers = factory
        var recorders: [EventRecorder] = []
        func recorder(_ component: String, maxPending: Int = 1000) -> EventRecorder {
            let r = EventRecorder(client: c, component: component, maxPending: maxPending)
            recorders.append(r)
            return r
        }

        // Room for a RegisteredNode per node at startup in a 10,000-node cluster; what does
        // not fit is dropped (best effort) and logged by the controller.
        let nodeEvents = recorder("node-controller", maxPending: 20_000)
        let evictionEvents = recorder(TaintEvictionController.component, maxPending: 10_000)
        let schedulerEvents = recorder(Scheduler.name, maxPending: 10_000)
        let grace = config.nodeMonitorGracePeriodSeconds, period = config.nodeMonitorPeriodSeconds
        let ttl = config.eventTTLSeconds, gcThreshold = config.terminatedPodGCThreshold
        let backoff = (config.schedulerInitialBackoffSeconds, config.schedulerMaxBackoffSeconds)
        let identityLease = config.identity

        var loops: [ControllerLoop] = []
        loops.append(.init("namespace", under: .controllerManager) { await NamespaceController(client: c, logger: logger).run(factory: $0) })
        loops.append(.init("node-lifecycle", under: .controllerManager) {
            await NodeLifecycleController(client: c, logger: logger, gracePeriod: grace, period: period, events: nodeEvents).run(factory: $0)
        })
        loops.append(.init("taint-eviction", under: .controllerManager) {
            await TaintEvictionController(client: c, logger: logger, events: evictionEvents).run(factory: $0)
        })
        loops.append(.init("pod-gc", under: .controllerManager) {
            await PodGCController(client: c, logger: logger, terminatedPodThreshold: gcThreshold).run(factory: $0)
        })
        let replicaSetEvents = recorder(ReplicaSetController.component, maxPending: 10_000)
        loops.append(.init("replicaset", under: .controllerManager) {
            await ReplicaSetController(client: c, logger: logger, events: replicaSetEvents).run(factory: $0)
        })
        let daemonSetEvents = recorder(DaemonSetController.component)
        loops.append(.init("daemonset", under: .controllerManager) {
            await DaemonSetController(client: c, logger: logger, events: daemonSetEvents).run(factory: $0)
        })
        loops.append(.init("deployment", under: .controllerManager) { await DeploymentController.run(client: c, logger: logger, factory: $0) })
        loops.append(.init("garbage-collector", under: .controllerManager) { await GarbageCollector(client: c, logger: logger).run(factory: $0) })
        let jobEvents = recorder(JobController.component, maxPending: 10_000)
        loops.append(.init("job", under: .controllerManager) {
            await JobController(client: c, logger: logger, events: jobEvents, clock: $0.clock).run(factory: $0)
        })
        let cronJobEvents = recorder(CronJobController.component)
        loops.append(.init("cronjob", under: .controllerManager) {
            await CronJobController(client: c, logger: logger, events: cronJobEvents, clock: $0.clock).run(factory: $0)
        })
        loops.append(.init("ttl-after-finished", under: .controllerManager) {
            await TTLAfterFinishedController(client: c, logger: logger, clock: $0.clock).run(factory: $0)
        })
        // The apiserver's own storage TTL (Kubernetes does it with etcd leases, in every
        // apiserver): no Lease. Two hubs expiring the same event is harmless (deletes carry
        // the resourceVersion seen).
        loops.append(.init("event-ttl", under: nil) { await EventTTLController(client: c, logger: logger, ttl: ttl, clock: $0.clock).run() })
        loops.append(.init("apiserver-identity", under: nil) { await IdentityLeaseController(client: c, logger: logger, config: identityLease, clock: $0.clock).run() })
        loops.append(.init("apiserver-identity-gc", under: nil) {
            await IdentityLeaseGC(client: c, logger: logger, period: identityLease.gcPeriodSeconds, clock: $0.clock).run()
        })
        loops.append(.init("scheduler", under: .scheduler) {
            await Scheduler(client: c, logger: logger, events: schedulerEvents, initialBackoff: backoff.0, maxBackoff: backoff.1).run(factory: $0)
        })

        let processIdentity = LeaderElectionConfig.processIdentity()
        self.identity = processIdentity
        var electors: [LeaderElector] = []
        var tasks: [Task<Void, Never>] = []
        for lease in LeaderLease.allCases where leases.contains(lease) {
            let mine = loops.filter { $0.lease == lease }
            guard !mine.isEmpty else { continue }
            let lock = LeaseLock(client: c, namespace: LeaderLease.namespace, name: lease.rawValue, events: recorder(lease.component))
            let elector = LeaderElector(lock: lock, identity: processIdentity, config: config.leaderElection, clock: factory.clock,
                                        logger: logger.with(["lease": .string(lease.rawValue)]))
            electors.append(elector)
            tasks.append(Task.detached {
                await elector.run(onStartedLeading: {
                    await ControllerLoop.runAll(mine, factory: factory, catchingUp: elector.termsStarted > 1 ? logger : nil)
                })
            })
        }
        if apiserverLoops {
            let unelected = loops.filter { $0.lease == nil }
            tasks.append(Task.detached { await ControllerLoop.runAll(unelected, factory: factory) })
        }
        self.electors = electors
        self.tasks = tasks
        self.recorders = recorders
        // Informers the controllers ask for from now on start as they are made; handlers
        // registered after a sync get the cached objects as adds first.
        factory.start()
    }

    /// Stops every loop, waits for them, and (leaders) releases the Leases so that the next
    /// process takes over at once.
    func stop() async {
        for t in tasks { t.cancel() }
        for t in tasks { await t.value }
        informers.shutDown()
        for r in recorders { r.close() }
        client.close()
    }
}

extension Logger {
    /// A copy with `metadata` added.
    func with(_ metadata: Logger.Metadata) -> Logger {
        var l = self
        for (k, v) in metadata { l[metadataKey: k] = v }
        return l
    }
}
