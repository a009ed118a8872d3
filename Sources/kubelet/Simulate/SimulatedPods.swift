import ControllerRuntime
import Logging
import Synchronization

/// The pods of every simulated node in this process (kwok's pod lifecycle): ONE list+watch
/// of bound pods, through the shared read-only view client, dispatched by `spec.nodeName`
/// to the owning node; each status write and deletion goes through that node's own client
/// (so the node authorizer checks it). Writes run on a work queue with `workers` workers: a
/// pod is never handled by two at once, a pod already reported is not rewritten, and a
/// conflict or an outage requeues it with back-off.
final class SimulatedPods: Sendable {
    enum Stage: Int, Comparable, Sendable {
        case seen, running, finished, finalized
        static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
    }

    struct Tracked: Sendable {
        var uid: String
        var node: String
        /// The newest object seen, kept only while there is work for it (memory: 30,000
        /// Running pods need no copy here).
        var object: JSON?
        var revision: Int
        var stage: Stage
        var runningSince: Double?
    }

    struct Counts: Sendable {
        var running = 0
        var finished = 0
        var finalized = 0
        var watches = 0

        /// The report line's fields.
        var summary: String { "running=\(running) finished=\(finished) finalized=\(finalized) pod_watches=\(watches)" }
    }

    private struct State {
        var pods: [String: Tracked] = [:]
        var clients: [String: Client] = [:]
        var nextSlot: [Int: Int] = [:]
        var counts = Counts()
    }

    /// Bound pods only: unscheduled ones are nobody's yet.
    static let boundPods = "spec.nodeName!="

    let view: Client
    let prefix: String
    let nodes: Int
    let workers: Int
    let logger: Logger
    let queue = WorkQueue<String>(baseDelay: 0.05, maxDelay: 10)
    private let state = Mutex(State())

    init(view: Client, prefix: String, nodes: Int, workers: Int, logger: Logger) {
        self.view = view
        self.prefix = prefix
        self.nodes = nodes
        self.workers = workers
        self.logger = logger
    }

    /// A node's own client, once it has one (pods of a node not yet dialled wait).
    func register(node: String, client: Client) {
        state.withLock { $0.clients[node] = client }
    }

    var counts: Counts { state.withLock { $0.counts } }

    /// The index of a node this process simulates (`PREFIX-i`), nil for anyone else's.
    func nodeIndex(_ name: String) -> Int? {
        guard name.hasPrefix(prefix + "-"), let i = Int(name.dropFirst(prefix.count + 1)), i >= 0, i < nodes,
              name == "\(prefix)-\(i)" else { return nil }
        return i
    }

    /// Runs the watch and the workers until cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { g in
            g.addTask { await self.queue.run(workers: self.workers) { await self.process($0) } }
            g.addTask { await self.feed() }
            await g.next()
            g.cancelAll()
        }
    }

    // MARK: - The one watch

    private func feed() async {
        var revision: String?
        var backoff = 0.2
        func pause() async {
            try? await Task.sleep(for: .milliseconds(Int(backoff * 1000)))
            backoff = min(backoff * 2, 10)
        }
        while !Task.isCancelled {
            if revision == nil {
                do {
                    let (items, rv) = try await view.list(.pods, fieldSelector: Self.boundPods, pageSize: 500)
                    relisted(items)
                    revision = rv
                } catch {
                    logger.warning("pod list failed", metadata: ["error": .string(error.message)])
                    await pause()
                    continue
                }
            }
            var req = Request(verb: .watch, resource: ResourceType.pods.plural)
            req.fieldSelector = Self.boundPods
            req.resourceVersion = revision
            req.allowWatchBookmarks = true
            do {
                let stream = try await view.watch(req)
                let n = state.withLock { s in s.counts.watches += 1; return s.counts.watches }
                logger.debug("pod watch opened", metadata: ["watches": "\(n)"])
                for try await e in stream {
                    if let rv = e.resourceVersion { revision = rv }
                    switch e.type {
                    case "ADDED", "MODIFIED": observe(e.object)
                    case "DELETED": forget(e.object)
                    default: break
                    }
                    backoff = 0.2
                }
            } catch let s as Status {
                if s.isGone { revision = nil } else { await pause() }
            } catch {
                await pause()
            }
        }
    }

    private func relisted(_ items: [JSON]) {
        let keys = Set(items.map(Self.key))
        state.withLock { s in s.pods = s.pods.filter { keys.contains($0.key) } }
        for o in items { observe(o) }
    }

    static func key(_ pod: JSON) -> String {
        "\(pod["metadata"]["namespace"].stringValue ?? "")/\(pod["metadata"]["name"].stringValue ?? "")"
    }

    static func revision(_ pod: JSON) -> Int { Int(pod["metadata"]["resourceVersion"].stringValue ?? "") ?? 0 }

    /// Records the pod's newest state and queues it when a simulated node has work for it.
    private func observe(_ pod: JSON) {
        guard let node = pod["spec"]["nodeName"].stringValue, nodeIndex(node) != nil else { return }
        let key = Self.key(pod)
        let uid = pod["metadata"]["uid"].stringValue ?? ""
        let rv = Self.revision(pod)
        let work = state.withLock { s -> Bool in
            var t = s.pods[key] ?? Tracked(uid: uid, node: node, object: nil, revision: 0, stage: .seen)
            if t.uid != uid { t = Tracked(uid: uid, node: node, object: nil, revision: 0, stage: .seen) }
            // Older than what one of our writes already returned.
            guard rv >= t.revision else { return false }
            t.revision = rv
            t.node = node
            let w = Self.needsWork(pod, t)
            t.object = w ? pod : nil
            if !w, SimulatedPodStatus.isTerminal(pod), t.stage < .finished { t.stage = .finished }
            s.pods[key] = t
            return w
        }
        if work { queue.add(key) }
    }

    private func forget(_ pod: JSON) {
        let key = Self.key(pod)
        let uid = pod["metadata"]["uid"].stringValue
        state.withLock { s in if s.pods[key]?.uid == uid { s.pods[key] = nil } }
    }

    static func needsWork(_ pod: JSON, _ t: Tracked) -> Bool {
        if pod["metadata"]["deletionTimestamp"].stringValue != nil { return t.stage != .finalized }
        if SimulatedPodStatus.isTerminal(pod) { return false }
        if t.stage == .seen { return true }
        return t.stage == .running && SimulatedPodStatus.requestedEnd(pod) != nil
    }

    // MARK: - Workers

    private func process(_ key: String) async {
        guard let found = state.withLock({ s -> (Tracked, Client?)? in s.pods[key].map { ($0, s.clients[$0.node]) } }) else { return }
        let (t, client) = found
        guard let pod = t.object, let index = nodeIndex(t.node) else { return }
        guard let client else {
            queue.add(key, after: 1)
            return
        }
        let now = Timestamp.nowSeconds()
        do {
            if pod["metadata"]["deletionTimestamp"].stringValue != nil {
                try await finalize(pod, key: key, client: client)
            } else if t.stage == .seen {
                if SimulatedPodStatus.looksRunning(pod) {
                    update(key, t.uid) { $0.stage = .running; $0.runningSince = now }
                } else {
                    let slot = state.withLock { s in s.nextSlot[index, default: 0] += 1; return s.nextSlot[index]! - 1 }
                    let out = try await client.update(.pods, SimulatedPodStatus.running(pod, hostIP: SimulatedPodStatus.hostIP(nodeIndex: index),
                                                                                           podIP: SimulatedPodStatus.podIP(nodeIndex: index, slot: slot),
                                                                                           now: Timestamp.format(now)), status: true)
                    update(key, t.uid) { tracked in
                        tracked.stage = .running
                        tracked.runningSince = now
                        if Self.revision(out) >= tracked.revision {
                            tracked.revision = Self.revision(out)
                            tracked.object = out
                        }
                    }
                    state.withLock { $0.counts.running += 1 }
                }
                if SimulatedPodStatus.requestedEnd(pod) != nil {
                    queue.add(key, after: SimulatedPodStatus.runSeconds(pod))
                } else {
                    update(key, t.uid) { if $0.stage >= .running { $0.object = nil } }
                }
            } else if t.stage == .running, let end = SimulatedPodStatus.requestedEnd(pod) {
                let left = SimulatedPodStatus.runSeconds(pod) - (now - (t.runningSince ?? now))
                if left > 0 {
                    queue.add(key, after: left)
                    return
                }
                let out = try await client.update(.pods, SimulatedPodStatus.finished(pod, phase: end, now: Timestamp.format(now)), status: true)
                update(key, t.uid) { $0.stage = .finished; $0.object = nil; $0.revision = max($0.revision, Self.revision(out)) }
                state.withLock { $0.counts.finished += 1 }
            }
            queue.forget(key)
        } catch {
            if error.isNotFound {
                state.withLock { s in if s.pods[key]?.uid == t.uid { s.pods[key] = nil } }
                return
            }
            if error.isConflict, let fresh = try? await client.getIfPresent(.pods, namespace: pod["metadata"]["namespace"].stringValue,
                                                                            name: pod["metadata"]["name"].stringValue ?? "") {
                observe(fresh)
            }
            logger.debug("pod write failed, retrying", metadata: ["pod": .string(key), "error": .string(error.message)])
            queue.addRateLimited(key)
        }
    }

    /// Graceful deletion: the containers end (status terminated), then the pod object goes
    /// (grace period 0, only this pod: the uid precondition).
    private func finalize(_ pod: JSON, key: String, client: Client) async throws(Status) {
        let uid = pod["metadata"]["uid"].stringValue ?? ""
        if !SimulatedPodStatus.isTerminal(pod) {
            _ = try? await client.update(.pods, SimulatedPodStatus.finished(pod, phase: "Succeeded", now: Timestamp.now()), status: true)
        }
        do {
            try await client.delete(.pods, namespace: pod["metadata"]["namespace"].stringValue, name: pod["metadata"]["name"].stringValue ?? "",
                                    uid: uid, gracePeriodSeconds: 0)
        } catch {
            // Gone already, or another pod by that name now: nothing of ours to delete.
            guard error.isNotFound || error.isConflict else { throw error }
        }
        update(key, uid) { $0.stage = .finalized; $0.object = nil }
        state.withLock { $0.counts.finalized += 1 }
    }

    private func update(_ key: String, _ uid: String, _ change: (inout Tracked) -> Void) {
        state.withLock { s in
            guard var t = s.pods[key], t.uid == uid else { return }
            change(&t)
            s.pods[key] = t
        }
    }
}
