import ControllerRuntime
import Logging

/// Kubernetes' replicaset controller: keeps `spec.replicas` active pods for each ReplicaSet,
/// claiming (adopting and releasing) pods by its selector and reporting counts in its status.
/// Pod events go to the owning ReplicaSet (controllerRef) or, for orphans, to every
/// ReplicaSet in the namespace whose selector matches; `ControllerExpectations` hold a
/// ReplicaSet back until its cache has seen the creations and deletions it asked for.
struct ReplicaSetController: Sendable {
    let client: Client
    let logger: Logger
    let events: EventRecorder?

    static let component = "replicaset-controller"
    /// Kubernetes' `BurstReplicas`: at most this many creations or deletions per sync.
    static let burstReplicas = 500
    /// Kubernetes' `--concurrent-replicaset-syncs` default.
    static let workers = 5

    func run(factory: SharedInformerFactory) async {
        let clock = factory.clock
        let replicaSets = factory.informer(.replicaSets)
        let pods = factory.informer(.pods)
        let queue = WorkQueue<String>(clock: clock)
        let expectations = ControllerExpectations(clock: clock)
        let routing = PodRouting(replicaSets: replicaSets, queue: queue, expectations: expectations)
        replicaSets.addHandler { e in
            switch e {
            case .added(let rs), .updated(_, let rs): queue.add(Indexer.key(rs))
            case .deleted(let rs, _):
                let key = Indexer.key(rs)
                expectations.forget(key)
                queue.add(key)
            }
        }
        pods.addHandler { e in
            switch e {
            case .added(let p): routing.added(p)
            case .updated(let old, let new): routing.updated(old: old, new: new)
            case .deleted(let p, _): routing.deleted(p)
            }
        }
        guard await replicaSets.waitForSync(), await pods.waitForSync() else { return }
        let sync = ReplicaSetSync(client: client, logger: logger, events: events, clock: clock, replicaSets: replicaSets.indexer,
                                  pods: pods.indexer, expectations: expectations, queue: queue)
        await queue.runSyncs(workers: Self.workers, logger: logger, kind: ReplicaSetSync.kind) { key throws(Status) in
            try await sync.reconcile(key)
        }
    }
}
