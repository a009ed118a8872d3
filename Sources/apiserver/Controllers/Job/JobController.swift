import ControllerRuntime
import Logging
import Synchronization

/// Kubernetes' job controller: runs a Job's pods to its completions (NonIndexed or
/// Indexed), replaces failed ones after a back-off until backoffLimit, enforces
/// activeDeadlineSeconds and suspend, and counts every finished pod exactly once through
/// the `batch.kubernetes.io/job-tracking` finalizer and `status.uncountedTerminatedPods`.
struct JobController: Sendable {
    static let component = "job-controller"
    let client: Client
    let logger: Logger
    let events: EventRecorder?
    let clock: any RuntimeClock
    let memory: JobMemory
    /// Test seam: runs right after a sync has listed the Job's pods from its cache, where
    /// the pod handler may run concurrently (nil in production).
    var afterListingPods: (@Sendable () async -> Void)? = nil

    init(client: Client, logger: Logger, events: EventRecorder?, clock: any RuntimeClock) {
        self.client = client
        self.logger = logger
        self.events = events
        self.clock = clock
        memory = JobMemory(clock: clock)
    }

    func run(factory: SharedInformerFactory, workers: Int = 2) async {
        let jobs = factory.informer(.jobs)
        let pods = factory.informer(.pods)
        // Kubernetes' job controller back-off for failed syncs: 1 s doubling up to 60 s.
        let queue = WorkQueue<String>(clock: clock, baseDelay: 1, maxDelay: 60)
        let memory = self.memory
        jobs.addHandler { e in
            switch e {
            case .added(let j), .updated(_, let j): queue.add(Indexer.key(j))
            case .deleted(let j, _):
                let key = Indexer.key(j)
                memory.forget(key)
                queue.add(key)
            }
        }
        let controller = self
        pods.addHandler { e in controller.observePod(e, jobs: jobs.indexer, enqueue: queue.add) }
        guard await jobs.waitForSync(), await pods.waitForSync() else { return }
        await queue.runSyncs(workers: workers, logger: logger, kind: "job") { key throws(Status) in
            if key.hasPrefix(Self.orphanPrefix) {
                if let p = pods.indexer.get(String(key.dropFirst(Self.orphanPrefix.count))), JobRules.hasFinalizer(p) {
                    _ = await removeFinalizer(p, onlyIf: { ControllerRefs.controllerOf($0) == nil })
                }
                return .done
            }
            let out = try await sync(key, jobs: jobs.indexer, pods: pods.indexer)
            // A failed creation is reported by its FailedCreate event: retried quietly.
            return out.createFailed ? .retry : .after(out.again)
        }
    }

    /// Queue keys of ownerless pods to release (a namespace has no `:`, a Job key no prefix).
    static let orphanPrefix = "pod:"

    /// `namespace/name` of the Job that controls the pod, if a Job does.
    static func jobKey(of pod: JSON) -> String? {
        guard let ref = ControllerRefs.controllerOf(pod), ref["kind"].stringValue == "Job",
              ref["apiVersion"].stringValue == "batch/v1", let name = ref["name"].stringValue,
              let ns = pod["metadata"]["namespace"].stringValue else { return nil }
        return "\(ns)/\(name)"
    }

    /// True if the pod's controller is the cached Job of that name with that uid (as
    /// Kubernetes' `resolveControllerRef`): only such a pod moves that Job's expectations.
    /// A pod of an earlier Job of the same name still queues the key, so its finalizer is let go.
    static func isOwnedByCachedJob(_ pod: JSON, _ jobs: Indexer) -> Bool {
        guard let key = jobKey(of: pod), let ref = ControllerRefs.controllerOf(pod), let job = jobs.get(key) else { return false }
        return job["metadata"]["uid"] == ref["uid"]
    }

    func record(_ job: JSON, type: String = "Normal", _ reason: String, _ message: String) {
        events?.record(about: job, .jobs, eventType: type, reason: reason, message)
    }
}

/// What the controller remembers between syncs (lost on restart, which is safe: the
/// finalizers and `uncountedTerminatedPods` hold everything needed to count exactly once).
final class JobMemory: Sendable {
    struct Backoff { var failures = 0; var lastFailure = 0.0 }
    private struct State {
        /// Pods whose finalizer this controller removed, until its cache shows it gone, so
        /// a stale pod is not counted a second time.
        var removing: Set<String> = []
        var backoff: [String: Backoff] = [:]
        /// The Job's resourceVersion after this controller's last status write: a cache
        /// older than it is not acted on.
        var written: [String: Int64] = [:]
    }
    private let state = Mutex(State())
    let expectations: ControllerExpectations

    init(clock: any RuntimeClock) { expectations = ControllerExpectations(clock: clock) }

    func forget(_ key: String) {
        expectations.forget(key)
        state.withLock { s in
            s.backoff[key] = nil
            s.written[key] = nil
        }
    }

    func removingFinalizer(_ uid: String) { state.withLock { _ = $0.removing.insert(uid) } }
    func finalizerRemovalObserved(_ uid: String) { state.withLock { _ = $0.removing.remove(uid) } }
    /// A copy of the pods whose finalizer removal is not yet seen. A sync takes it before it
    /// lists the pods and uses it throughout: a uid the pod handler drops later still shows
    /// its finalizer in that listing, and would otherwise be counted again. (A uid dropped
    /// before the copy is harmless: the informer updates its cache before it runs handlers,
    /// so the listing already shows that pod without the finalizer.)
    func finalizerRemovals() -> Set<String> { state.withLock { $0.removing } }

    func backoff(_ key: String) -> Backoff { state.withLock { $0.backoff[key] ?? Backoff() } }
    func setBackoff(_ key: String, _ b: Backoff) { state.withLock { $0.backoff[key] = b } }

    func wrote(_ key: String, _ job: JSON) {
        guard let rv = Int64(job["metadata"]["resourceVersion"].stringValue ?? "") else { return }
        state.withLock { $0.written[key] = max($0.written[key] ?? 0, rv) }
    }

    /// True if the cached Job is older than what this controller last wrote.
    func isStale(_ key: String, _ cached: JSON) -> Bool {
        guard let rv = Int64(cached["metadata"]["resourceVersion"].stringValue ?? "") else { return false }
        return state.withLock { rv < ($0.written[key] ?? 0) }
    }
}
