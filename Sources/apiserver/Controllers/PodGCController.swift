import ControllerRuntime
import Logging

/// Kubernetes' pod garbage collector (podgc). Every `checkPeriod` (20 s), once the pod and
/// node caches have synced, it force-deletes (grace 0, the pod's uid as precondition):
/// - the terminated pods (Succeeded/Failed) beyond `terminatedPodThreshold`, evicted ones
///   first, then the oldest (0 turns this off);
/// - pods being deleted on a node that is not Ready and has the out-of-service taint;
/// - pods bound to a node that no longer exists: a node missing from the cache is
///   quarantined for `quarantine` (40 s), then looked up live (never from the cache), and if
///   it is gone its pods get `DisruptionTarget` (reason `DeletionByPodGC`) and go; this also
///   covers pods stuck terminating on a node that is gone;
/// - pods being deleted that were never scheduled.
/// A pod not yet terminal is first set to phase Failed (through the status subresource,
/// at the version just read), so nothing shows it Running after its node is gone.
struct PodGCController: Sendable {
    let client: Client
    let logger: Logger
    let terminatedPodThreshold: Int
    var checkPeriod: Double = 20
    var quarantine: Double = 40
    /// Deletes in flight at once.
    var parallelDeletes = 16

    func run(factory: SharedInformerFactory) async {
        let clock = factory.clock
        let pods = factory.informer(.pods)
        let nodes = factory.informer(.nodes)
        guard await pods.waitForSync(), await nodes.waitForSync() else { return }
        var quarantined = OrphanQuarantine()
        while !Task.isCancelled {
            let cachedNodes = Dictionary(nodes.indexer.list().map { ($0["metadata"]["name"].stringValue ?? "", $0) }) { a, _ in a }
            await collect(pods: pods.indexer.list(), nodes: cachedNodes, quarantined: &quarantined, now: clock.now)
            do { try await clock.sleep(for: checkPeriod) } catch { return }
        }
    }

    /// One pass (Kubernetes' `gc`).
    func collect(pods: [JSON], nodes: [String: JSON], quarantined: inout OrphanQuarantine, now: Double) async {
        let terminated = PodGCPlan.terminatedToDelete(pods, threshold: terminatedPodThreshold)
        if !terminated.isEmpty {
            logger.info("garbage collecting terminated pods", metadata: ["count": .stringConvertible(terminated.count)])
            await forceDelete(terminated, reason: "terminated pods over the threshold")
        }
        await forceDelete(PodGCPlan.terminatingOutOfService(pods, nodes: nodes), reason: "terminating on an out-of-service node")
        let due = quarantined.due(missing: PodGCPlan.missingNodes(pods, nodes: Set(nodes.keys)), now: now, quarantine: quarantine)
        var gone = Set<String>()
        for name in due {
            do {
                if try await client.getIfPresent(.nodes, name: name) == nil { gone.insert(name) }
            } catch {
                // Looked at again after another quarantine if its pods are still there.
                logger.warning("could not check whether a node exists", metadata: ["node": .string(name), "error": .string(error.message)])
            }
        }
        if !gone.isEmpty {
            let condition: JSON = ["type": "DisruptionTarget", "status": "True", "reason": "DeletionByPodGC", "message": "PodGC: node no longer exists"]
            await forceDelete(pods.filter { gone.contains(PodGCPlan.nodeName($0)) }, reason: "orphaned: its node no longer exists", condition: condition)
        }
        await forceDelete(PodGCPlan.unscheduledTerminating(pods), reason: "terminating and never scheduled")
    }

    /// Marks each pod Failed (with `condition`) unless it is terminal, then deletes it with
    /// grace 0; up to `parallelDeletes` at once. Errors are logged; the next pass retries.
    func forceDelete(_ pods: [JSON], reason: String, condition: JSON? = nil) async {
        guard !pods.isEmpty else { return }
        await withTaskGroup(of: Void.self) { g in
            for (i, pod) in pods.enumerated() {
                if i >= parallelDeletes { await g.next() }
                g.addTask {
                    let key = Indexer.key(pod)
                    do throws(Status) {
                        try await markFailed(pod, condition: condition)
                        try await client.delete(.pods, namespace: pod["metadata"]["namespace"].stringValue, name: pod["metadata"]["name"].stringValue ?? "",
                                                uid: pod["metadata"]["uid"].stringValue, gracePeriodSeconds: 0)
                        logger.info("PodGC force-deleted a pod", metadata: ["pod": .string(key), "reason": .string(reason)])
                    } catch where error.isNotFound || error.isConflict {
                        // Gone already, or replaced by a new pod of that name.
                    } catch {
                        logger.warning("PodGC could not delete a pod", metadata: ["pod": .string(key), "error": .string(error.message)])
                    }
                }
            }
        }
    }

    /// Kubernetes' markFailedAndDeletePodWithCondition, status half: phase Failed and the
    /// condition, written at the version just read (the cache lacks what a status update
    /// must keep), for the same pod (uid).
    func markFailed(_ pod: JSON, condition: JSON?) async throws(Status) {
        guard !PodState.isTerminated(pod) else { return }
        let meta = pod["metadata"]
        var fresh = try await client.get(.pods, namespace: meta["namespace"].stringValue, name: meta["name"].stringValue ?? "")
        guard fresh["metadata"]["uid"] == meta["uid"] else { throw Status.notFound(resource: "pods", name: meta["name"].stringValue ?? "") }
        guard !PodState.isTerminated(fresh) else { return }
        fresh[path: ["status", "phase"]] = "Failed"
        if var c = condition {
            c["lastTransitionTime"] = .string(Timestamp.now())
            let others = (fresh["status"]["conditions"].arrayValue ?? []).filter { $0["type"] != c["type"] }
            fresh[path: ["status", "conditions"]] = .array(others + [c])
        }
        _ = try await client.update(.pods, fresh, status: true)
    }
}
