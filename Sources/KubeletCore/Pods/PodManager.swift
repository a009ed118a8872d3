import ControllerRuntime
import Foundation
import Wire

/// The kubelet's pods: fed by an informer of the pods bound to this node, it starts one
/// `PodWorker` per pod UID (after admission), passes it updates, and tells it when its pod
/// is gone. At start it removes sandboxes whose pods are no longer bound here.
///
/// Isolation: an actor; `handle` is the informer handler.
public actor PodManager {
    let env: PodWorkerEnvironment
    let capacity: NodeAllocatable
    var workers: [String: PodWorker] = [:]
    /// Specs of the admitted pods that are not finished, by UID (admission counts them).
    var admitted: [String: PodSpec] = [:]
    /// MemoryPressure as the eviction manager last judged it: BestEffort pods are refused.
    var memoryPressure = false

    public init(environment: PodWorkerEnvironment, capacity: NodeAllocatable) {
        env = environment
        self.capacity = capacity
    }

    public var workerCount: Int { workers.count }

    public func worker(uid: String) -> PodWorker? { workers[uid] }

    public func handle(_ event: ResourceEvent) async {
        switch event {
        case .added(let json), .updated(_, let json):
            guard let pod = try? Client.decode(Pod.self, json) else { return }
            await podChanged(pod)
        case .deleted(let json, _):
            guard let uid = json["metadata"]["uid"].stringValue else { return }
            podGone(uid)
        }
    }

    func podChanged(_ pod: Pod) async {
        guard let uid = pod.metadata.uid, pod.spec?.nodeName == env.nodeName else {
            if let uid = pod.metadata.uid { podGone(uid) }
            return
        }
        if let w = workers[uid] {
            await w.update(pod)
            if await w.isTerminal { admitted[uid] = nil }
            return
        }
        let w = PodWorker(pod: pod, environment: env)
        workers[uid] = w
        let finished = pod.status?.phase == "Succeeded" || pod.status?.phase == "Failed"
        if !finished, pod.metadata.deletionTimestamp == nil {
            // Pods already started here (a kubelet restart) are admitted again without a check.
            let alreadyRunning = pod.status?.phase == "Running" || pod.status?.startTime != nil
            if !alreadyRunning, memoryPressure, QOSClass.of(pod: pod) == .bestEffort {
                // Kubernetes' eviction admission: only BestEffort pods are refused for memory.
                let message = "The node had condition: [MemoryPressure]. "
                await w.reject(reason: "Evicted", message: "Pod was rejected: " + message)
                env.api.event(pod, fieldPath: nil, type: "Warning", reason: "Evicted", message: message)
            } else if !alreadyRunning, let rejection = capacity.admit(pod.spec ?? PodSpec(), besides: Array(admitted.values)) {
                await w.reject(reason: rejection.reason, message: rejection.statusMessage)
                env.api.event(pod, fieldPath: nil, type: "Warning", reason: rejection.reason, message: rejection.message)
            } else {
                admitted[uid] = pod.spec ?? PodSpec()
            }
        }
        await w.start()
        Task { [weak self] in
            await w.waitUntilFinished()
            await self?.workerFinished(uid, w)
        }
    }

    public func setMemoryPressure(_ on: Bool) { memoryPressure = on }

    /// The pods whose workers still run them (not finished, refused or being deleted).
    public func activePods() async -> [Pod] {
        var out: [Pod] = []
        for w in workers.values where await w.isActive { out.append(await w.pod) }
        return out
    }

    func podGone(_ uid: String) {
        admitted[uid] = nil
        guard let w = workers[uid] else { return }
        Task { await w.podRemoved() }
    }

    private func workerFinished(_ uid: String, _ w: PodWorker) {
        if workers[uid] === w { workers[uid] = nil }
    }

    /// Sandboxes (and their log directories) of pods not in `boundUIDs` are removed; a
    /// kubelet calls this once its pod informer has synced.
    public func removeOrphans(boundUIDs: Set<String>) async {
        for s in (try? await env.runtime.listPodSandboxes()) ?? [] where !boundUIDs.contains(s.config.uid) {
            try? await env.runtime.removePodSandbox(s.id)
            try? FileManager.default.removeItem(atPath: s.config.logDirectory)
        }
    }

    /// Stops every worker's loop, leaving containers running (kubelet shutdown).
    public func stopAll() async {
        for w in workers.values { await w.stop() }
    }
}
