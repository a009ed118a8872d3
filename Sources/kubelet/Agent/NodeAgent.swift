import Logging

/// One node's agent toward the apiserver: registers the Node, renews its Lease every
/// `leaseDuration/4`, and, in a loop of its own beside the renewals, writes node status
/// when it changes, when the server's copy disagrees, or every `statusReportSeconds`.
///
/// Isolation: an actor; `run` loops until its task is cancelled. Survives apiserver
/// outages: every step retries with back-off, and watches resume.
actor NodeAgent {
    let client: Client
    let config: AgentConfig
    let observer: NodeObserver
    let logger: Logger
    let latency: LatencyRecorder?
    /// Where "Starting kubelet." and condition changes (NodeReady, ...) are recorded; nil
    /// for simulated nodes.
    let events: EventRecorder?
    /// Why pods run without cgroup limits (the runtime's `cgroupProblem`), nil when they do not.
    let cgroupProblem: @Sendable () -> String?

    private var nodeUID: String?
    private var lease: JSON?
    private var reported: [NodeCondition] = []
    private var reportedPressure: ObservedPressure?
    private var reportedCgroupProblem: String?
    private var lastStatusWrite = 0.0
    /// The server's view of this Node: a watch of it alone (`watchOwnNode`), or a view
    /// shared by many agents (simulated nodes: one watch instead of N).
    private var ownNode: Informer?

    init(client: Client, config: AgentConfig, observer: NodeObserver, logger: Logger, latency: LatencyRecorder? = nil,
         events: EventRecorder? = nil, sharedNodeView: Informer? = nil, cgroupProblem: @escaping @Sendable () -> String? = { nil }) {
        self.client = client
        self.cgroupProblem = cgroupProblem
        self.ownNode = sharedNodeView
        self.events = events
        self.config = config
        self.observer = observer
        self.logger = logger
        self.latency = latency
    }

    func run() async {
        record("Starting", "Starting kubelet.")
        await register()
        var watcher: Task<Void, Never>? = nil
        if config.watchOwnNode {
            let inf = Informer(client: client, type: .nodes, fieldSelector: "metadata.name=\(config.nodeName)")
            ownNode = inf
            watcher = Task { await inf.run { _ in } }
        }
        // Status writes run beside the renewals, never in front of them: a write stuck on
        // a half-dead link must not hold the Lease back.
        let status = Task { await self.reportStatusLoop() }
        defer {
            watcher?.cancel()
            status.cancel()
        }
        await renewLoop()
    }

    /// Renews every `renewInterval`; after a failure retries at once-ish with back-off
    /// (0.2 s doubling, up to the interval), as Kubernetes' lease controller does.
    private func renewLoop() async {
        var backoff = 0.2
        while !Task.isCancelled {
            let ok = await renewLease()
            let wait = ok ? config.renewIntervalSeconds : min(backoff, config.renewIntervalSeconds) * Double.random(in: 0.8...1.2)
            backoff = ok ? 0.2 : min(backoff * 2, config.renewIntervalSeconds)
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }

    /// Checks once a renew interval whether status is due (the same cadence as before the
    /// two were split: thousands of simulated nodes share a process).
    private func reportStatusLoop() async {
        let tick = config.renewIntervalSeconds
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int(tick * 1000)))
            if Task.isCancelled { return }
            await reportStatusIfNeeded()
        }
    }

    /// A request on this client's link failed: if it timed out (or the transport failed),
    /// the link is taken for half-dead and redialed, so the next try does not wait on it.
    private func dropIfLinkLooksDead(_ error: Status) {
        if error.code == 504 || error.isConnectionFailure { client.dropConnection() }
    }

    // MARK: registration

    /// Creates the Node, or updates the one a previous run left (never a duplicate).
    func register() async {
        var backoff = 0.2
        while !Task.isCancelled {
            do {
                try await registerOnce()
                logger.info("node registered", metadata: ["node": .string(config.nodeName)])
                return
            } catch {
                logger.warning("registration failed, retrying", metadata: ["node": .string(config.nodeName), "error": .string(error.message)])
                try? await Task.sleep(for: .milliseconds(Int(backoff * 1000 * Double.random(in: 0.5...1.5))))
                backoff = min(backoff * 2, 30)
            }
        }
    }

    private func registerOnce() async throws(Status) {
        let pressure = observer.pressure()
        let problem = cgroupProblem()
        let conditions = NodeObject.conditions(pressure, cgroupProblem: problem, previous: [], now: Timestamp.now())
        let desired = NodeObject.node(config, observer: observer, server: client.config.server, conditions: conditions)
        let stored: JSON
        do {
            stored = try await client.create(.nodes, desired)
        } catch {
            guard error.isAlreadyExists else { throw error }
            // Re-registration: our labels and status over what is there; spec (taints,
            // unschedulable) belongs to others and stays.
            let existing = try await client.get(.nodes, name: config.nodeName)
            var updated = existing
            var labels = existing["metadata"]["labels"].objectValue ?? JSONObject()
            for (k, v) in desired["metadata"]["labels"].objectValue ?? JSONObject() { labels[k] = v }
            updated[path: ["metadata", "labels"]] = .object(labels)
            let withLabels = try await client.update(.nodes, updated)
            var statusUpdate = withLabels
            statusUpdate["status"] = desired["status"]
            stored = try await client.update(.nodes, statusUpdate, status: true)
        }
        nodeUID = stored["metadata"]["uid"].stringValue
        recordTransitions(conditions, previous: [:])
        recordCgroupProblem(problem, previous: nil)
        reported = conditions
        reportedPressure = pressure
        reportedCgroupProblem = problem
        lastStatusWrite = Timestamp.nowSeconds()
    }

    // MARK: lease

    /// One renewal: a PUT of the Lease with the new renewTime (create it if missing).
    /// Returns false on failure.
    func renewLease() async -> Bool {
        let now = Timestamp.nowMicro()
        let start = Timestamp.nowSeconds()
        let timeout = config.renewTimeoutSeconds
        do throws(Status) {
            if var l = lease {
                l[path: ["spec", "renewTime"]] = .string(now)
                l[path: ["spec", "holderIdentity"]] = .string(config.nodeName)
                do {
                    lease = try await client.updateWithTimeout(.leases, l, timeout: timeout)
                } catch {
                    guard error.isConflict || error.isNotFound else { throw error }
                    lease = nil
                    return await renewLease()
                }
            } else {
                lease = try await createOrAdoptLease(now: now, timeout: timeout)
            }
            latency?.record(Timestamp.nowSeconds() - start)
            return true
        } catch {
            dropIfLinkLooksDead(error)
            logger.debug("lease renewal failed", metadata: ["node": .string(config.nodeName), "error": .string(error.message)])
            return false
        }
    }

    private func createOrAdoptLease(now: String, timeout: Double) async throws(Status) -> JSON {
        if var existing = try await client.getIfPresent(.leases, namespace: "kube-node-lease", name: config.nodeName, timeout: timeout) {
            existing[path: ["spec", "renewTime"]] = .string(now)
            existing[path: ["spec", "holderIdentity"]] = .string(config.nodeName)
            existing[path: ["spec", "leaseDurationSeconds"]] = .int(Int(config.leaseDurationSeconds))
            if let uid = nodeUID { existing[path: ["metadata", "ownerReferences"]] = ownerRefs(uid) }
            return try await client.updateWithTimeout(.leases, existing, timeout: timeout)
        }
        var l: JSON = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(config.nodeName), "namespace": "kube-node-lease"],
            "spec": ["holderIdentity": .string(config.nodeName), "leaseDurationSeconds": .int(Int(config.leaseDurationSeconds)),
                     "acquireTime": .string(now), "renewTime": .string(now)],
        ]
        if let uid = nodeUID { l[path: ["metadata", "ownerReferences"]] = ownerRefs(uid) }
        return try await client.create(.leases, namespace: "kube-node-lease", l, timeout: timeout)
    }

    private func ownerRefs(_ uid: String) -> JSON {
        [["apiVersion": "v1", "kind": "Node", "name": .string(config.nodeName), "uid": .string(uid)]]
    }

    // MARK: status

    /// Writes conditions when what we observe changed, when the server's copy says
    /// something else (e.g. Unknown after a network cut), or when the report is due.
    func reportStatusIfNeeded() async {
        let pressure = observer.pressure()
        let problem = cgroupProblem()
        let mine = Dictionary(uniqueKeysWithValues: reported.map { ($0.type, $0.status) })
        var serverStatuses = mine
        if let inf = ownNode, let server = await inf.object(name: config.nodeName) {
            serverStatuses = NodeObject.statuses(server)
        }
        let serverDisagrees = serverStatuses != mine
        let due = Timestamp.nowSeconds() - lastStatusWrite >= config.statusReportSeconds
        guard pressure != reportedPressure || problem != reportedCgroupProblem || serverDisagrees || due else { return }
        let conditions = NodeObject.conditions(pressure, cgroupProblem: problem, previous: reported, now: Timestamp.now())
        do {
            let patch: JSON = ["status": ["conditions": .array(try conditions.map { try JSON(encoding: $0) })]]
            _ = try await client.patch(.nodes, name: config.nodeName, patch, status: true, timeout: config.statusTimeoutSeconds)
            // Against the server's view, as Kubernetes' kubelet: Unknown → True is NodeReady.
            recordTransitions(conditions, previous: serverStatuses)
            recordCgroupProblem(problem, previous: reportedCgroupProblem)
            reported = conditions
            reportedPressure = pressure
            reportedCgroupProblem = problem
            lastStatusWrite = Timestamp.nowSeconds()
            if serverDisagrees { logger.info("corrected node status on the server", metadata: ["node": .string(config.nodeName)]) }
        } catch let s as Status {
            dropIfLinkLooksDead(s)
            if s.isNotFound {
                // Someone deleted our Node: register again, as a new Node (its events too).
                reported = []
                lease = nil
                await register()
            }
            logger.debug("status update failed", metadata: ["node": .string(config.nodeName), "error": .string(s.message)])
        } catch {
            logger.debug("status encode failed", metadata: ["error": .string("\(error)")])
        }
    }

    // MARK: events

    /// Kubelets name their Node by name in events (uid = name), as Kubernetes' do.
    private func record(_ reason: String, _ message: String, type: String = "Normal") {
        events?.record(ObjectReference(kind: "Node", name: config.nodeName, uid: config.nodeName), type: type, reason: reason, message: message)
    }

    /// A Warning when the runtime's cgroup problem is new or has changed.
    private func recordCgroupProblem(_ problem: String?, previous: String?) {
        guard let problem, problem != previous else { return }
        record(NodeObject.cgroupEventReason, problem, type: "Warning")
    }

    /// "Node X status is now: NodeReady" and the like, for each condition whose status
    /// differs from `previous` (type → status; empty at registration, so all of them).
    private func recordTransitions(_ conditions: [NodeCondition], previous: [String: String]) {
        for reason in NodeObject.transitionEventReasons(conditions, previous: previous) {
            record(reason, "Node \(config.nodeName) status is now: \(reason)")
        }
    }
}
