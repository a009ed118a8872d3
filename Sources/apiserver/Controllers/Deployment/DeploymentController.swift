import ControllerRuntime
import Logging

/// Kubernetes' deployment controller: one ReplicaSet per pod template, rolled over by the
/// Deployment's strategy (RollingUpdate within maxSurge and maxUnavailable, or Recreate),
/// with revisions, history cleanup, pause, proportional scaling and the Available and
/// Progressing conditions. It writes ReplicaSets only; their pods are the ReplicaSet
/// controller's.
struct DeploymentController: Sendable {
    let client: Client
    let logger: Logger
    let events: EventRecorder?

    static let component = "deployment-controller"

    /// Runs the controller with its own event recorder until the task is cancelled.
    static func run(client: Client, logger: Logger, factory: SharedInformerFactory) async {
        let events = EventRecorder(client: client, component: component, maxPending: 10_000)
        await DeploymentController(client: client, logger: logger, events: events).run(factory: factory)
        events.close()
    }

    func run(factory: SharedInformerFactory, workers: Int = 4) async {
        let deployments = factory.informer(.deployments)
        let replicaSets = factory.informer(.replicaSets)
        let pods = factory.informer(.pods)
        let queue = WorkQueue<String>(clock: factory.clock)
        deployments.addHandler { e in
            switch e {
            case .added(let d), .updated(_, let d): queue.add(Indexer.key(d))
            case .deleted(let d, _): queue.add(Indexer.key(d))
            }
        }
        replicaSets.addHandler { e in
            switch e {
            case .added(let rs), .deleted(let rs, _):
                for key in Self.deploymentKeys(for: rs, deployments: deployments.indexer) { queue.add(key) }
            case .updated(let old, let rs):
                // A changed owner or labels may concern the Deployment it left as well.
                var keys = Set(Self.deploymentKeys(for: rs, deployments: deployments.indexer))
                if ControllerRefs.controllerOf(old)?["uid"] != ControllerRefs.controllerOf(rs)?["uid"] || old["metadata"]["labels"] != rs["metadata"]["labels"] {
                    keys.formUnion(Self.deploymentKeys(for: old, deployments: deployments.indexer))
                }
                for key in keys { queue.add(key) }
            }
        }
        // Recreate waits for the old pods to be gone: their deletion is news.
        pods.addHandler { e in
            guard case .deleted(let pod, _) = e, let ref = ControllerRefs.controllerOf(pod), ref["kind"] == "ReplicaSet",
                  let ns = pod["metadata"]["namespace"].stringValue,
                  let rs = replicaSets.indexer.get(namespace: ns, name: ref["name"].stringValue ?? ""),
                  rs["metadata"]["uid"] == ref["uid"] else { return }
            for key in Self.deploymentKeys(for: rs, deployments: deployments.indexer) {
                if deployments.indexer.get(key)?["spec"]["strategy"]["type"].stringValue == "Recreate" { queue.add(key) }
            }
        }
        guard await deployments.waitForSync(), await replicaSets.waitForSync(), await pods.waitForSync() else { return }
        let sync = DeploymentSync(client: client, events: events, logger: logger, clock: factory.clock,
                                  deployments: deployments.indexer, replicaSets: replicaSets.indexer, pods: pods.indexer)
        await queue.runSyncs(workers: workers, logger: logger, kind: "deployment") { key throws(Status) in
            .after(try await sync.sync(key))
        }
    }

    /// The Deployment that controls `rs`, or for an orphan every Deployment in its namespace
    /// whose selector matches it (one of them may adopt it).
    static func deploymentKeys(for rs: JSON, deployments: Indexer) -> [String] {
        let ns = rs["metadata"]["namespace"].stringValue ?? ""
        if let ref = ControllerRefs.controllerOf(rs) {
            guard ref["kind"] == "Deployment", let d = deployments.get(namespace: ns, name: ref["name"].stringValue ?? ""),
                  d["metadata"]["uid"] == ref["uid"] else { return [] }
            return [Indexer.key(d)]
        }
        return deployments.byIndex(Indexes.namespace, ns).filter { d in
            guard let sel = WorkloadSelector.of(d), !sel.isEmpty else { return false }
            return sel.matches(labelsJSON: rs["metadata"]["labels"])
        }.map(Indexer.key)
    }
}
