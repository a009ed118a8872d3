import ControllerRuntime
import Logging
import Synchronization

/// Watches Leases in `kube-node-lease` and marks nodes whose Lease has not been renewed
/// within the grace period `Ready=Unknown` (all conditions Unknown, reason
/// `NodeStatusUnknown`) with the `node.kubernetes.io/unreachable` taints; nodes reporting
/// `Ready=False` get the `not-ready` taints; Ready nodes lose both. Deleting a Node deletes
/// its Lease.
///
/// Renewals are timed by this controller's own clock (when it saw `renewTime` change), so
/// clock skew between hosts does not matter, and after an apiserver restart every node gets
/// a full grace period before it can be marked Unknown.
struct NodeLifecycleController: Sendable {
    let client: Client
    let logger: Logger
    let gracePeriod: Double
    let period: Double
    /// Records RegisteredNode, RemovingNode and NodeNotReady, as node-controller does.
    let events: EventRecorder?

    static let unreachable = "node.kubernetes.io/unreachable"
    static let notReady = "node.kubernetes.io/not-ready"

    /// Lease renewals come in through the shared Lease informer; every `period` each cached
    /// Node is queued for a check, and Node changes queue that node at once.
    func run(factory: SharedInformerFactory, workers: Int = 2) async {
        let clock = factory.clock
        let nodes = factory.informer(.nodes)
        let leases = factory.informer(.leases, namespace: "kube-node-lease")
        let heartbeats = Mutex(NodeHeartbeats())
        let queue = WorkQueue<String>(clock: clock)
        let c = client, log = logger, rec = events
        leases.addHandler { e in
            switch e {
            case .added(let l), .updated(_, let l): heartbeats.withLock { $0.observe(leases: [l], now: clock.now) }
            case .deleted: break
            }
        }
        nodes.addHandler { e in
            switch e {
            case .added(let n):
                let name = n["metadata"]["name"].stringValue ?? ""
                Self.record(rec, n, "RegisteredNode", "Node \(name) event: Registered Node \(name) in Controller")
                queue.add(name)
            case .updated(_, let n):
                queue.add(n["metadata"]["name"].stringValue ?? "")
            case .deleted(let n, _):
                let name = n["metadata"]["name"].stringValue ?? ""
                Self.record(rec, n, "RemovingNode", "Node \(name) event: Removing Node \(name) from Controller")
                queue.forget(name)
                await Self.deleteLease(of: n, client: c, logger: log)
            }
        }
        let ticker = Task {
            var lostReported = 0
            while !Task.isCancelled {
                do { try await clock.sleep(for: period) } catch { return }
                if let lost = rec?.lost, lost > lostReported {
                    log.warning("node events lost (queue full or apiserver unavailable)", metadata: ["lost": .stringConvertible(lost - lostReported)])
                    lostReported = lost
                }
                guard nodes.hasSynced, leases.hasSynced else { continue }
                let names = nodes.indexer.list().compactMap { $0["metadata"]["name"].stringValue }
                heartbeats.withLock { $0.prune(keeping: Set(names)) }
                for n in names { queue.add(n) }
            }
        }
        defer { ticker.cancel() }
        await queue.run(workers: workers) { name in
            guard nodes.hasSynced, leases.hasSynced, let n = nodes.indexer.get(name) else { return }
            let stale = heartbeats.withLock { $0.isStale(name, now: clock.now, grace: gracePeriod) }
            do throws(Status) {
                try await reconcile(n, stale: stale)
                queue.forget(name)
            } catch {
                // Conflicts (the cache was behind) and outages: retry with back-off.
                logger.debug("node lifecycle update failed", metadata: ["node": .string(name), "error": .string(error.message)])
                queue.addRateLimited(name)
            }
        }
    }

    func reconcile(_ node: JSON, stale: Bool) async throws(Status) {
        let name = node["metadata"]["name"].stringValue ?? ""
        var current = node
        let ready = NodeObject.readyStatus(node)
        if stale && ready != "Unknown" {
            current = try await client.update(.nodes, Self.markedUnknown(node), status: true)
            Self.record(events, node, "NodeNotReady", "Node \(name) status is now: NodeNotReady")
            logger.info("node stopped renewing its lease: marked Unknown", metadata: ["node": .string(name)])
        }
        let readyNow = NodeObject.readyStatus(current)
        let want: String? = readyNow == "Unknown" ? Self.unreachable : (readyNow == "False" ? Self.notReady : nil)
        let taints = current["spec"]["taints"].arrayValue ?? []
        var kept = taints.filter { t in
            let k = t["key"].stringValue ?? ""
            return k != Self.unreachable && k != Self.notReady
        }
        if let want {
            let existing = taints.filter { $0["key"].stringValue == want }
            kept += existing.isEmpty
                ? [["key": .string(want), "effect": "NoSchedule"], ["key": .string(want), "effect": "NoExecute", "timeAdded": .string(Timestamp.now())]]
                : existing
        }
        guard Set(kept.map(\.compactString)) != Set(taints.map(\.compactString)) || kept.count != taints.count else { return }
        var updated = current
        updated[path: ["spec", "taints"]] = kept.isEmpty ? .null : .array(kept)
        _ = try await client.update(.nodes, updated)
        logger.info("node taints changed", metadata: ["node": .string(name), "taint": .string(want ?? "none")])
    }

    /// Every condition Unknown, as Kubernetes marks a node that went quiet.
    static func markedUnknown(_ node: JSON) -> JSON {
        var n = node
        let now = Timestamp.now()
        let conds = (node["status"]["conditions"].arrayValue ?? []).map { c -> JSON in
            var c = c
            if c["status"].stringValue != "Unknown" { c["lastTransitionTime"] = .string(now) }
            c["status"] = "Unknown"
            c["reason"] = "NodeStatusUnknown"
            c["message"] = "Kubelet stopped posting node status."
            return c
        }
        let hasReady = conds.contains { $0["type"].stringValue == "Ready" }
        n[path: ["status", "conditions"]] = .array(hasReady ? conds : conds + [[
            "type": "Ready", "status": "Unknown", "reason": "NodeStatusNeverUpdated", "message": "Kubelet never posted node status.",
            "lastTransitionTime": .string(now),
        ]])
        return n
    }

    /// node-controller names the Node by its uid in events (kubelets use the name).
    static func record(_ recorder: EventRecorder?, _ node: JSON, _ reason: String, _ message: String) {
        let meta = node["metadata"]
        recorder?.record(ObjectReference(kind: "Node", name: meta["name"].stringValue, uid: meta["uid"].stringValue, apiVersion: "v1"),
                         reason: reason, message: message)
    }

    static func deleteLease(of node: JSON, client: Client, logger: Logger) async {
        guard let name = node["metadata"]["name"].stringValue else { return }
        do {
            try await client.delete(.leases, namespace: "kube-node-lease", name: name)
            logger.info("node deleted: deleted its lease", metadata: ["node": .string(name)])
        } catch {
            if !error.isNotFound { logger.warning("could not delete lease", metadata: ["node": .string(name), "error": .string(error.message)]) }
        }
    }
}

enum NodeObject {
    /// The Ready condition's status, "Unknown" when there is none.
    static func readyStatus(_ node: JSON) -> String {
        (node["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == "Ready" }?["status"].stringValue ?? "Unknown"
    }
}
