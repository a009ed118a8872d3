import ControllerRuntime
import Logging
import Synchronization

/// The default scheduler: assigns pods that name no node (and `default-scheduler` or no
/// scheduler) to a node through `pods/binding`, one pod at a time, from the shared pod and
/// node informers. A pod that fits nowhere gets `PodScheduled=False` and a FailedScheduling
/// event, and is tried again when a node is added or changes or a pod goes away, and with
/// back-off (by default 1 s doubling to 10 s, as Kubernetes' pod back-off) otherwise.
struct Scheduler: Sendable {
    static let name = "default-scheduler"
    let client: Client
    let logger: Logger
    let events: EventRecorder
    var initialBackoff: Double = 1
    var maxBackoff: Double = 10

    /// Pods bound by this scheduler that the pod informer does not show bound yet, so the
    /// next pod does not count their node as free.
    final class Assumed: Sendable {
        let pods = Mutex<[String: JSON]>([:])
        func add(_ key: String, _ pod: JSON) { pods.withLock { $0[key] = pod } }
        func remove(_ key: String) { _ = pods.withLock { $0.removeValue(forKey: key) } }
        func all() -> [String: JSON] { pods.withLock { $0 } }
    }

    static func key(_ pod: JSON) -> String {
        "\(pod["metadata"]["namespace"].stringValue ?? "")/\(pod["metadata"]["name"].stringValue ?? "")"
    }

    /// Unbound, for this scheduler, not being deleted and not finished.
    static func needsScheduling(_ pod: JSON) -> Bool {
        let spec = pod["spec"]
        let phase = pod["status"]["phase"].stringValue ?? ""
        return (spec["nodeName"].stringValue ?? "").isEmpty
            && (spec["schedulerName"].stringValue ?? name) == name
            && pod["metadata"]["deletionTimestamp"].isNull
            && phase != "Succeeded" && phase != "Failed"
    }

    /// Pods that hold resources on a node: bound and not finished.
    static func holdsResources(_ pod: JSON) -> Bool {
        let phase = pod["status"]["phase"].stringValue ?? ""
        return !(pod["spec"]["nodeName"].stringValue ?? "").isEmpty && phase != "Succeeded" && phase != "Failed"
    }

    func run(factory: SharedInformerFactory) async {
        let pods = factory.informer(.pods)
        let nodes = factory.informer(.nodes)
        let queue = WorkQueue<String>(clock: factory.clock, baseDelay: initialBackoff, maxDelay: maxBackoff)
        let unschedulable = Mutex<Set<String>>([])
        let assumed = Assumed()
        let retryUnschedulable: @Sendable () -> Void = {
            for k in unschedulable.withLock({ $0 }) { queue.add(k) }
        }
        pods.addHandler { e in
            switch e {
            case .added(let p), .updated(_, let p):
                // A pod that finished frees its node's room.
                if case .updated(let old, _) = e, Self.holdsResources(old), !Self.holdsResources(p) { retryUnschedulable() }
                if Self.needsScheduling(p) { queue.add(Self.key(p)) } else {
                    assumed.remove(Self.key(p))
                    unschedulable.withLock { _ = $0.remove(Self.key(p)) }
                }
            case .deleted(let p, _):
                assumed.remove(Self.key(p))
                unschedulable.withLock { _ = $0.remove(Self.key(p)) }
                queue.forget(Self.key(p))
                if !(p["spec"]["nodeName"].stringValue ?? "").isEmpty { retryUnschedulable() }
            }
        }
        nodes.addHandler { e in
            switch e {
            case .added, .updated: retryUnschedulable()
            case .deleted: break
            }
        }
        await queue.run(workers: 1) { key in
            guard pods.hasSynced, nodes.hasSynced else { queue.add(key, after: 0.1); return }
            guard let pod = pods.indexer.get(key), Self.needsScheduling(pod) else {
                queue.forget(key)
                unschedulable.withLock { _ = $0.remove(key) }
                return
            }
            let infos = Self.nodeInfos(nodes: nodes.indexer.list(), pods: pods, assumed: assumed.all())
            switch SchedulingAlgorithm.schedule(pod: pod, nodes: infos) {
            case .node(let node):
                do throws(Status) {
                    try await bind(pod, to: node)
                    var bound = pod
                    bound[path: ["spec", "nodeName"]] = .string(node)
                    assumed.add(key, bound)
                    unschedulable.withLock { _ = $0.remove(key) }
                    queue.forget(key)
                } catch {
                    if error.isNotFound || error.isConflict { queue.forget(key); return }
                    logger.warning("binding failed", metadata: ["pod": .string(key), "error": .string(error.message)])
                    queue.addRateLimited(key)
                }
            case .unschedulable(let message):
                unschedulable.withLock { _ = $0.insert(key) }
                await markUnschedulable(pod, message: message)
                queue.addRateLimited(key)
            }
        }
    }

    /// Every node with the pods that hold resources on it (the informer's, and the ones this
    /// scheduler bound that the informer has not shown bound yet).
    static func nodeInfos(nodes: [JSON], pods: SharedInformer, assumed: [String: JSON]) -> [NodeInfo] {
        nodes.map { node in
            let name = node["metadata"]["name"].stringValue ?? ""
            var bound = pods.indexer.byIndex(Indexes.nodeName, name).filter(holdsResources)
            let seen = Set(bound.map(key))
            bound += assumed.filter { !seen.contains($0.key) && $0.value["spec"]["nodeName"].stringValue == name }.map(\.value)
            return NodeInfo(node: node, pods: bound)
        }
    }

    func bind(_ pod: JSON, to node: String) async throws(Status) {
        let ns = pod["metadata"]["namespace"].stringValue ?? "", name = pod["metadata"]["name"].stringValue ?? ""
        try await client.bind(namespace: ns, name: name, node: node, uid: pod["metadata"]["uid"].stringValue)
        events.record(Self.reference(pod), reason: "Scheduled", message: "Successfully assigned \(ns)/\(name) to \(node)")
        logger.debug("pod bound", metadata: ["pod": .string("\(ns)/\(name)"), "node": .string(node)])
    }

    /// Writes `PodScheduled=False` (reason Unschedulable) and records FailedScheduling, only
    /// when the condition's status, reason or message changes.
    func markUnschedulable(_ pod: JSON, message: String) async {
        let conditions = pod["status"]["conditions"].arrayValue ?? []
        let existing = conditions.first { $0["type"].stringValue == "PodScheduled" }
        if let existing, existing["status"].stringValue == "False", existing["reason"].stringValue == "Unschedulable",
           existing["message"].stringValue == message {
            return
        }
        let condition: JSON = [
            "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": .string(message),
            "lastProbeTime": .null, "lastTransitionTime": .string(Timestamp.now()),
        ]
        var updated = pod
        updated[path: ["status", "conditions"]] = .array(conditions.filter { $0["type"].stringValue != "PodScheduled" } + [condition])
        do throws(Status) {
            // An update at the cached resourceVersion, not a patch: a merge patch replaces the
            // whole conditions list, and from a stale cache would drop conditions written since.
            // A conflict means a newer pod is on its way through the informer, which requeues it.
            _ = try await client.update(.pods, updated, status: true)
            events.record(Self.reference(pod), type: "Warning", reason: "FailedScheduling", message: message)
        } catch {
            logger.debug("could not write PodScheduled", metadata: ["pod": .string(Self.key(pod)), "error": .string(error.message)])
        }
    }

    static func reference(_ pod: JSON) -> ObjectReference {
        let m = pod["metadata"]
        return ObjectReference(kind: "Pod", namespace: m["namespace"].stringValue, name: m["name"].stringValue,
                               uid: m["uid"].stringValue, apiVersion: "v1")
    }
}
