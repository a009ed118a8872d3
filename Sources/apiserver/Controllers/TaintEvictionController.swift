import ControllerRuntime
import Logging
import Synchronization

/// Kubernetes' taint-eviction-controller: a pod bound to a node with `NoExecute` taints it
/// does not tolerate is deleted (gracefully) at once; one that tolerates them all is deleted
/// when the shortest `tolerationSeconds` among the matching tolerations has passed, counted
/// from when this controller first saw the pod under those taints (no `tolerationSeconds`:
/// it stays). Taints removed in time cancel the eviction. Each eviction records a
/// `TaintManagerEviction` event and sets the `DisruptionTarget` condition first, as
/// Kubernetes does.
struct TaintEvictionController: Sendable {
    let client: Client
    let logger: Logger
    let events: EventRecorder?

    static let component = "taint-eviction-controller"

    /// What to do with one pod, from its tolerations and its node's taints.
    enum Decision: Equatable {
        case keep
        case evictNow
        case evictAfter(Double)
    }

    static func decide(pod: JSON, node: JSON?) -> Decision {
        let taints = (node?["spec"]["taints"].arrayValue ?? []).filter { $0["effect"].stringValue == "NoExecute" }
        if taints.isEmpty { return .keep }
        let tolerations = pod["spec"]["tolerations"].arrayValue ?? []
        var matching: [JSON] = []
        for t in taints {
            let key = t["key"].stringValue ?? "", value = t["value"].stringValue ?? ""
            let m = tolerations.filter { SchedulingFilters.tolerates($0, key: key, value: value, effect: "NoExecute") }
            if m.isEmpty { return .evictNow }
            matching += m
        }
        // Kubernetes' getMinTolerationTime: no seconds = forever, 0 or less = now.
        var least: Int?
        for t in matching {
            guard let s = t["tolerationSeconds"].intValue else { continue }
            if s <= 0 { return .evictNow }
            least = min(least ?? s, s)
        }
        return least.map { .evictAfter(Double($0)) } ?? .keep
    }

    func run(factory: SharedInformerFactory, workers: Int = 2) async {
        let clock = factory.clock
        let pods = factory.informer(.pods)
        let nodes = factory.informer(.nodes)
        let queue = WorkQueue<String>(clock: clock)
        /// When each pod counting down was first seen under its node's NoExecute taints, with
        /// its uid: a worker that read a pod before its delete event may write the entry after
        /// the handler removed it; a new pod of the same name must not inherit that start.
        let since = Mutex<[String: (uid: String, start: Double)]>([:])
        pods.addHandler { e in
            switch e {
            case .added(let p), .updated(_, let p):
                if !(p["spec"]["nodeName"].stringValue ?? "").isEmpty { queue.add(Indexer.key(p)) }
            case .deleted(let p, _):
                let key = Indexer.key(p)
                since.withLock { _ = $0.removeValue(forKey: key) }
                queue.forget(key)
            }
        }
        nodes.addHandler { e in
            let node: JSON
            switch e {
            case .added(let n): node = n
            case .updated(let old, let n):
                guard Self.noExecuteTaints(old) != Self.noExecuteTaints(n) else { return }
                node = n
            case .deleted: return
            }
            for key in pods.indexer.indexKeys(Indexes.nodeName, node["metadata"]["name"].stringValue ?? "") { queue.add(key) }
        }
        // Decisions need both caches whole (a pod seen before its node would look untainted).
        guard await pods.waitForSync(), await nodes.waitForSync() else { return }
        await queue.run(workers: workers) { key in
            guard let pod = pods.indexer.get(key), pod["metadata"]["deletionTimestamp"].isNull,
                  let nodeName = pod["spec"]["nodeName"].stringValue, !nodeName.isEmpty else {
                since.withLock { _ = $0.removeValue(forKey: key) }
                return
            }
            switch Self.decide(pod: pod, node: nodes.indexer.get(nodeName)) {
            case .keep:
                if since.withLock({ $0.removeValue(forKey: key) }) != nil { record(pod, "Cancelling deletion of Pod \(key)") }
            case .evictNow:
                await evict(pod, key: key, queue: queue, since: since)
            case .evictAfter(let seconds):
                let now = clock.now
                let uid = pod["metadata"]["uid"].stringValue ?? ""
                let start = since.withLock { s -> Double in
                    if let t = s[key], t.uid == uid { return t.start }
                    s[key] = (uid, now)
                    return now
                }
                if now >= start + seconds {
                    await evict(pod, key: key, queue: queue, since: since)
                } else {
                    queue.add(key, after: start + seconds - now)
                }
            }
        }
    }

    /// Marks the pod `DisruptionTarget` and deletes it (its own grace period applies) with
    /// its uid as precondition, so a new pod of the same name is not hit.
    func evict(_ pod: JSON, key: String, queue: WorkQueue<String>, since: borrowing Mutex<[String: (uid: String, start: Double)]>) async {
        record(pod, "Marking for deletion Pod \(key)")
        do {
            try await markDisruptionTarget(pod)
            _ = try await client.delete(.pods, namespace: pod["metadata"]["namespace"].stringValue, name: pod["metadata"]["name"].stringValue ?? "",
                                        uid: pod["metadata"]["uid"].stringValue)
            since.withLock { _ = $0.removeValue(forKey: key) }
            queue.forget(key)
            logger.info("evicted pod from a NoExecute-tainted node", metadata: ["pod": .string(key), "node": .string(pod["spec"]["nodeName"].stringValue ?? "")])
        } catch where error.isNotFound || error.code == 409 {
            since.withLock { _ = $0.removeValue(forKey: key) }
        } catch {
            logger.warning("taint eviction failed", metadata: ["pod": .string(key), "error": .string(error.message)])
            queue.addRateLimited(key)
        }
    }

    /// Kubernetes' addConditionAndDeletePod: the condition is written (at the version read,
    /// so a concurrent kubelet status write makes it retry) before the delete.
    func markDisruptionTarget(_ pod: JSON) async throws(Status) {
        let meta = pod["metadata"]
        var fresh = try await client.get(.pods, namespace: meta["namespace"].stringValue, name: meta["name"].stringValue ?? "")
        guard fresh["metadata"]["uid"] == meta["uid"], fresh["metadata"]["deletionTimestamp"].isNull else { return }
        let condition: JSON = ["type": "DisruptionTarget", "status": "True", "lastTransitionTime": .string(Timestamp.now()),
                               "reason": "DeletionByTaintManager", "message": "Taint manager: deleting due to NoExecute taint"]
        var conditions = fresh["status"]["conditions"].arrayValue ?? []
        if let i = conditions.firstIndex(where: { $0["type"] == "DisruptionTarget" }) {
            let c = conditions[i]
            if c["status"] == "True" && c["reason"] == condition["reason"] && c["message"] == condition["message"] { return }
            conditions[i] = condition
        } else {
            conditions.append(condition)
        }
        fresh[path: ["status", "conditions"]] = .array(conditions)
        _ = try await client.update(.pods, fresh, status: true)
    }

    func record(_ pod: JSON, _ message: String) {
        let meta = pod["metadata"]
        events?.record(ObjectReference(kind: "Pod", namespace: meta["namespace"].stringValue, name: meta["name"].stringValue, apiVersion: "v1"),
                       reason: "TaintManagerEviction", message: message)
    }

    static func noExecuteTaints(_ node: JSON) -> [String] {
        (node["spec"]["taints"].arrayValue ?? []).filter { $0["effect"].stringValue == "NoExecute" }.map(\.compactString).sorted()
    }
}
