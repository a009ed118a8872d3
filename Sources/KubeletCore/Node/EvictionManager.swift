import ControllerRuntime
import Wire

/// A pod's memory use now, from its cgroup: the total, and per container where known.
public struct PodMemoryUsage: Sendable, Equatable {
    public var total: Int64
    public var containers: [String: Int64]
    public init(total: Int64, containers: [String: Int64] = [:]) {
        self.total = total
        self.containers = containers
    }
}

/// Where the eviction manager reads the host and the pods' memory use.
public protocol EvictionSignals: Sendable {
    func readings() -> PressureReadings
    /// nil when the pod's cgroup cannot be read (such a pod is not ranked).
    func memoryUsage(_ pod: Pod) async -> PodMemoryUsage?
}

/// The kubelet's eviction manager for the hard `memory.available` threshold: every
/// `interval` seconds it judges the node; under MemoryPressure the pod manager refuses
/// BestEffort pods, and while available memory is below the threshold it evicts one pod
/// (the first by `EvictionRanking`) per interval, with grace 0.
///
/// Isolation: an actor; `synchronize` is one monitoring pass (tests call it directly).
public actor EvictionManager {
    let pods: PodManager
    let signals: any EvictionSignals
    let thresholds: [EvictionThreshold]
    let clock: any RuntimeClock
    /// Seconds between passes and between two evictions (Kubernetes: 10 s housekeeping).
    public let interval: Double
    var lastEviction: Double?

    public init(pods: PodManager, signals: any EvictionSignals, thresholds: [EvictionThreshold],
                clock: any RuntimeClock = SystemClock(), interval: Double = 10) {
        self.pods = pods
        self.signals = signals
        self.thresholds = thresholds
        self.clock = clock
        self.interval = interval
    }

    /// One pass: updates the pod manager's admission, and evicts at most one pod when the
    /// threshold is crossed and the last eviction is an interval old. Returns the UID evicted.
    @discardableResult
    public func synchronize() async -> String? {
        let r = signals.readings()
        // Kubernetes' eviction manager knows only its thresholds: memory stalls (PSI), which
        // also raise the node's MemoryPressure condition here, neither refuse nor evict pods.
        let belowThreshold = NodePressure.evaluate(r, thresholds: thresholds).memorySignal == "memory.available"
        await pods.setMemoryPressure(belowThreshold)
        guard belowThreshold, let threshold = thresholds.first(where: { $0.signal == "memory.available" }) else { return nil }
        if let last = lastEviction, clock.now < last + interval { return nil }
        var candidates: [EvictionCandidate] = []
        var byUID: [String: (Pod, PodMemoryUsage)] = [:]
        for pod in await pods.activePods() {
            guard let uid = pod.metadata.uid, let usage = await signals.memoryUsage(pod) else { continue }
            byUID[uid] = (pod, usage)
            candidates.append(EvictionCandidate(uid: uid, memoryRequest: EvictionRanking.memoryRequest(pod),
                                                priority: pod.spec?.priority ?? 0, memoryUsage: usage.total))
        }
        // UID order first so that ties do not depend on dictionary order.
        candidates.sort { $0.uid < $1.uid }
        for c in EvictionRanking.rankMemoryPressure(candidates) {
            guard let (pod, usage) = byUID[c.uid], let worker = await pods.worker(uid: c.uid) else { continue }
            let containers = (pod.spec?.containers ?? []).compactMap { spec -> (String, Int64, Quantity?)? in
                usage.containers[spec.name].map { (spec.name, $0, spec.resources?.requests?["memory"]) }
            }
            let message = EvictionRanking.memoryMessage(threshold: EvictionRanking.binarySI(threshold.value(capacity: r.memoryTotal)),
                                                        available: r.memoryAvailable, containers: containers)
            if await worker.evict(message: message) {
                lastEviction = clock.now
                return c.uid
            }
        }
        return nil
    }

    /// Passes every `interval` until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            await synchronize()
            try? await clock.sleep(for: interval)
        }
    }
}
