import ControllerRuntime
import Logging
import Synchronization

/// The default scheduler: assigns pods that name no node (and `default-scheduler` or no
/// scheduler) to a node through `pods/binding`, deciding one pod at a time from a cache kept
/// by the shared pod and node informers' events, binding up to `parallelBinds` at once. A pod that fits nowhere gets `PodScheduled=False` and a FailedScheduling
/// event, and is tried again when a node is added or changes or a pod goes away, and with
/// back-off (by default 1 s doubling to 10 s, as Kubernetes' pod back-off) otherwise.
struct Scheduler: Sendable {
    static let name = "default-scheduler"
    let client: Client
    let logger: Logger
    let events: EventRecorder
    var initialBackoff: Double = 1
    var maxBackoff: Double = 10

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

    /// Binds in flight at once (Kubernetes runs each binding cycle in its own goroutine).
    var parallelBinds = 32

    /// Pods that fit nowhere, retried when something frees room; `moves` counts those
    /// retries so a cycle that raced one requeues its pod at once.
    final class Unschedulable: Sendable {
        struct State {
            var keys: Set<String> = []
            var moves = 0
        }
        private let state = Mutex(State())
        func withLock<R>(_ body: (inout State) -> R) -> R { state.withLock { body(&$0) } }
    }

    func run(factory: SharedInformerFactory) async {
        let pods = factory.informer(.pods)
        let nodes = factory.informer(.nodes)
        let queue = WorkQueue<String>(clock: factory.clock, baseDelay: initialBackoff, maxDelay: maxBackoff)
        let unschedulable = Unschedulable()
        let cache = SchedulerCache()
        let slots = BindSlots(limit: parallelBinds)
        let retryUnschedulable: @Sendable () -> Void = {
            let keys = unschedulable.withLock { u in
                u.moves += 1
                return u.keys
            }
            for k in keys { queue.add(k) }
        }
        pods.addHandler { e in
            switch e {
            case .added(let p), .updated(_, let p):
                cache.podChanged(p)
                // A pod that finished frees its node's room.
                if case .updated(let old, _) = e, Self.holdsResources(old), !Self.holdsResources(p) { retryUnschedulable() }
                if Self.needsScheduling(p) {
                    // An assumed pod's bind is in flight; its outcome requeues it if needed.
                    if !cache.isAssumed(Self.key(p)) { queue.add(Self.key(p)) }
                } else {
                    unschedulable.withLock { _ = $0.keys.remove(Self.key(p)) }
                }
            case .deleted(let p, _):
                cache.podDeleted(p)
                unschedulable.withLock { _ = $0.keys.remove(Self.key(p)) }
                queue.forget(Self.key(p))
                if !(p["spec"]["nodeName"].stringValue ?? "").isEmpty { retryUnschedulable() }
            }
        }
        nodes.addHandler { e in
            switch e {
            case .added(let n), .updated(_, let n):
                cache.nodeChanged(n)
                retryUnschedulable()
            case .deleted(let n, _):
                cache.nodeDeleted(n["metadata"]["name"].stringValue ?? "")
            }
        }
        await queue.run(workers: 1) { key in
            guard pods.hasSynced, nodes.hasSynced else { queue.add(key, after: 0.1); return }
            guard let pod = pods.indexer.get(key), Self.needsScheduling(pod) else {
                queue.forget(key)
                unschedulable.withLock { _ = $0.keys.remove(key) }
                return
            }
            guard !cache.isAssumed(key) else { return }
            await slots.acquire()
            let moves = unschedulable.withLock { $0.moves }
            switch cache.scheduleAndAssume(pod) {
            case .node(let node):
                Task {
                    defer { slots.release() }
                    do throws(Status) {
                        try await bind(pod, to: node)
                        unschedulable.withLock { _ = $0.keys.remove(key) }
                        queue.forget(key)
                    } catch {
                        cache.forget(key, uid: pod["metadata"]["uid"].stringValue ?? "")
                        if error.isNotFound || error.isConflict { queue.forget(key); return }
                        logger.warning("binding failed", metadata: ["pod": .string(key), "error": .string(error.message)])
                        queue.addRateLimited(key)
                    }
                }
            case .unschedulable(let message):
                slots.release()
                let raced = unschedulable.withLock { u in
                    u.keys.insert(key)
                    return u.moves != moves
                }
                await markUnschedulable(pod, message: message)
                if raced { queue.add(key) } else { queue.addRateLimited(key) }
            }
        }
    }

    func bind(_ pod: JSON, to node: String) async throws(Status) {
        let ns = pod["metadata"]["namespace"].stringValue ?? "", name = pod["metadata"]["name"].stringValue ?? ""
        try await client.bind(namespace: ns, name: name, node: node, uid: pod["metadata"]["uid"].stringValue)
        events.record(Self.reference(pod), reason: "Scheduled", message: "Successfully assigned \(ns)/\(name) to \(node)")
        logger.debug("pod bound", metadata: ["pod": .string("\(ns)/\(name)"), "node": .string(node)])
    }

    /// Records FailedScheduling for every failed attempt (the recorder counts repeats, as
    /// Kubernetes' event series do) and writes `PodScheduled=False` (reason Unschedulable)
    /// only when the condition's status, reason or message changes.
    func markUnschedulable(_ pod: JSON, message: String) async {
        let conditions = pod["status"]["conditions"].arrayValue ?? []
        let existing = conditions.first { $0["type"].stringValue == "PodScheduled" }
        if let existing, existing["status"].stringValue == "False", existing["reason"].stringValue == "Unschedulable",
           existing["message"].stringValue == message {
            events.record(Self.reference(pod), type: "Warning", reason: "FailedScheduling", message: message)
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
