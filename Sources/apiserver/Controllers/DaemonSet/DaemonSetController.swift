import ControllerRuntime
import Logging

/// Kubernetes' daemonset controller: one pod per eligible node for each DaemonSet. It
/// watches DaemonSets, pods, nodes and ControllerRevisions; each DaemonSet key is synced
/// by `DaemonSetSync`.
/// Pods are created pinned to their node by required node affinity and bound by the
/// scheduler, as in Kubernetes.
struct DaemonSetController: Sendable {
    let client: Client
    let logger: Logger
    let events: EventRecorder?

    static let component = "daemonset-controller"

    /// Runs until cancelled; then closes `events` (the recorder is this controller's own).
    func run(factory: SharedInformerFactory, workers: Int = 2) async {
        defer { events?.close() }
        let daemonSets = factory.informer(.daemonSets), pods = factory.informer(.pods), nodes = factory.informer(.nodes)
        let revisions = factory.informer(.controllerRevisions)
        let queue = WorkQueue<String>(clock: factory.clock)
        let expectations = ControllerExpectations(clock: factory.clock)
        let backoff = FailedPodBackoff(), placementCache = PlacementCache()
        let sync = DaemonSetSync(client: client, logger: logger, events: events, clock: factory.clock, daemonSets: daemonSets,
                                 pods: pods, nodes: nodes, revisions: revisions, expectations: expectations, backoff: backoff,
                                 placementCache: placementCache, queue: queue)
        daemonSets.addHandler { e in
            switch e {
            case .added(let ds), .updated(_, let ds): queue.add(Indexer.key(ds))
            case .deleted(let ds, _):
                let key = Indexer.key(ds)
                expectations.forget(key)
                queue.forget(key)
                let uid = ds["metadata"]["uid"].stringValue ?? ""
                placementCache.forget(daemonSetUID: uid)
                backoff.forget(daemonSetUID: uid)
            }
        }
        pods.addHandler { e in
            switch e {
            case .added(let p):
                if let key = sync.ownerKey(p) {
                    if PodState.isTerminating(p) {
                        expectations.deletionObserved(key, uid: p["metadata"]["uid"].stringValue ?? "")
                    } else {
                        expectations.creationObserved(key)
                    }
                    queue.add(key)
                } else {
                    for key in sync.orphanMatches(p) { queue.add(key) }
                }
            case .updated(let old, let p):
                let oldKey = sync.ownerKey(old), key = sync.ownerKey(p)
                if let oldKey, oldKey != key { queue.add(oldKey) }
                if let key {
                    // Kubernetes counts a deletion as observed once the pod is marked.
                    if PodState.isTerminating(p) { expectations.deletionObserved(key, uid: p["metadata"]["uid"].stringValue ?? "") }
                    queue.add(key)
                } else if old["metadata"]["labels"] != p["metadata"]["labels"] || oldKey != nil {
                    for key in sync.orphanMatches(p) { queue.add(key) }
                }
            case .deleted(let p, _):
                guard let key = sync.ownerKey(p) else { return }
                expectations.deletionObserved(key, uid: p["metadata"]["uid"].stringValue ?? "")
                queue.add(key)
            }
        }
        // A revision's change or loss re-syncs its DaemonSet (or, for an orphan, the ones
        // that may adopt it), as Kubernetes' add/update/deleteHistory.
        revisions.addHandler { e in
            switch e {
            case .added(let r), .deleted(let r, _):
                if let key = sync.ownerKey(r) { queue.add(key) } else { for key in sync.orphanMatches(r) { queue.add(key) } }
            case .updated(let old, let r):
                let oldKey = sync.ownerKey(old), key = sync.ownerKey(r)
                if let oldKey, oldKey != key { queue.add(oldKey) }
                if let key { queue.add(key) } else { for key in sync.orphanMatches(r) { queue.add(key) } }
            }
        }
        nodes.addHandler { e in
            if case .deleted(let n, _) = e {
                let name = n["metadata"]["name"].stringValue ?? ""
                placementCache.forget(node: name)
                backoff.forget(node: name)
            }
            if case .updated(let old, let new) = e, !Self.placementChanged(old, new) { return }
            for ds in daemonSets.indexer.list() { queue.add(Indexer.key(ds)) }
        }
        guard await daemonSets.waitForSync(), await pods.waitForSync(), await nodes.waitForSync(), await revisions.waitForSync() else { return }
        await queue.runSyncs(workers: workers, logger: logger, kind: "daemonset") { key throws(Status) in
            try await sync.sync(key)
            return .done
        }
    }

    /// What decides placement changed: labels, taints, `unschedulable`, or readiness (which
    /// adds or removes a condition taint). Heartbeats change none of them.
    static func placementChanged(_ old: JSON, _ new: JSON) -> Bool {
        old["metadata"]["labels"] != new["metadata"]["labels"] || old["spec"]["taints"] != new["spec"]["taints"]
            || old["spec"]["unschedulable"] != new["spec"]["unschedulable"] || NodeObject.readyStatus(old) != NodeObject.readyStatus(new)
    }
}
