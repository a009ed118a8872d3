import Wire

/// The pod's status as the kubelet reports it, written only when it changes.
extension PodWorker {
    func publishStatus() {
        let status = buildStatus()
        guard status != lastWritten else { return }
        lastWritten = status
        env.api.writeStatus(pod, status)
    }

    /// The status this worker would write now.
    public func currentStatus() -> PodStatus { buildStatus() }

    func buildStatus() -> PodStatus {
        let initSpecs = pod.spec?.initContainers ?? []
        let specs = pod.spec?.containers ?? []
        let initDone = initSpecs.allSatisfy { c in
            guard let s = tracks[c.name]?.status else { return false }
            return s.state == .exited && s.exitCode == 0
        }
        var status = PodStatus()
        let initStatuses = initSpecs.map { containerStatus($0, isInit: true, initDone: initDone) }
        let statuses = specs.map { containerStatus($0, isInit: false, initDone: initDone) }
        status.initContainerStatuses = initStatuses.isEmpty ? nil : initStatuses
        status.containerStatuses = statuses
        let phase = terminal?.phase ?? runningPhase(statuses, initDone: initDone)
        status.phase = phase
        status.reason = terminal?.reason
        status.message = terminal?.message
        if !admissionRejected, terminal?.reason?.hasPrefix("OutOf") != true {
            status.hostIP = env.hostIP
            status.hostIPs = [IPEntry(env.hostIP)]
            status.podIP = env.hostIP
            status.podIPs = [IPEntry(env.hostIP)]
        } else {
            status.hostIP = env.hostIP
            status.hostIPs = [IPEntry(env.hostIP)]
        }
        status.startTime = startTime
        status.qosClass = QOSClass.of(pod: pod).rawValue
        status.conditions = makeConditions(initStatuses: initStatuses, statuses: statuses, initDone: initDone, phase: phase)
        return status
    }

    /// Kubernetes' getPhase while the pod is not finished: Pending until every container has
    /// started once, Running after.
    func runningPhase(_ statuses: [APIContainerStatus], initDone: Bool) -> String {
        guard initDone else { return "Pending" }
        for s in statuses {
            if s.state?.waiting != nil, s.lastState?.terminated == nil { return "Pending" }
        }
        return "Running"
    }

    func containerStatus(_ c: Container, isInit: Bool, initDone: Bool) -> APIContainerStatus {
        let t = tracks[c.name]
        var state = APIContainerState()
        var last = t?.lastTerminated.map { APIContainerState(nil, nil, $0) } ?? APIContainerState()
        var ready = false
        var started = false
        let pendingReason = isInit || !initDone ? "PodInitializing" : "ContainerCreating"
        if let waiting = t?.waiting {
            state.waiting = waiting
            if waiting.reason == "CrashLoopBackOff", let s = t?.status, let term = Self.terminated(s) { last = APIContainerState(nil, nil, term) }
        } else if let s = t?.status {
            switch s.state {
            case .running, .unknown:
                state.running = ContainerStateRunning(s.startedAt.map(Self.time))
                let probes = probeStates[s.id]
                started = probes?.started ?? true
                ready = !isInit && started && (probes?.ready ?? (c.readinessProbe == nil))
            case .exited:
                state.terminated = Self.terminated(s)
                ready = isInit && s.exitCode == 0
            case .created:
                state.waiting = ContainerStateWaiting("ContainerCreating")
            }
        } else {
            state.waiting = ContainerStateWaiting(pendingReason)
        }
        let id = t?.status?.id ?? t?.id
        let image = c.image ?? ""
        return APIContainerStatus(name: c.name, containerID: id.map { "host://\($0)" }, image: image, imageID: image, state: state,
                               lastState: last, ready: ready, started: isInit ? nil : started, restartCount: Int32(t?.restartCount ?? 0))
    }

    func makeConditions(initStatuses: [APIContainerStatus], statuses: [APIContainerStatus], initDone: Bool, phase: String) -> [PodCondition] {
        let now = Timestamp.now()
        func condition(_ type: String, _ ok: Bool, reason: String? = nil, message: String? = nil) -> PodCondition {
            let status = ok ? "True" : "False"
            let old = conditions.first { $0.type == type }
            let since = old?.status == status ? (old?.lastTransitionTime ?? now) : now
            return PodCondition(type: type, status: status, lastTransitionTime: since, reason: reason, message: message)
        }
        // Conditions of other types (DisruptionTarget from the taint eviction controller, a
        // readiness gate's) belong to others: kept from the server's object, before the
        // kubelet's, as Kubernetes' status manager merges them (the patch replaces the list).
        var others = (pod.status?.conditions ?? []).filter { !Self.kubeletConditionTypes.contains($0.type) }
        if let disruption { others = others.filter { $0.type != disruption.type } + [disruption] }
        var out: [PodCondition] = []
        if admissionRejected || terminal?.reason?.hasPrefix("OutOf") == true { return others + conditions.filter { Self.kubeletConditionTypes.contains($0.type) } }
        let uninitialized = initStatuses.filter { !$0.ready }.map(\.name)
        let initialized = initDone || phase == "Succeeded"
        out.append(initialized ? condition("Initialized", true)
            : condition("Initialized", false, reason: "ContainersNotInitialized",
                        message: "containers with incomplete status: [\(uninitialized.joined(separator: " "))]"))
        let unready = statuses.filter { !$0.ready }.map(\.name)
        for type in ["Ready", "ContainersReady"] {
            if phase == "Succeeded" {
                out.append(condition(type, false, reason: "PodCompleted"))
            } else if unready.isEmpty, initialized {
                out.append(condition(type, true))
            } else {
                let names = unready.isEmpty ? uninitialized : unready
                out.append(condition(type, false, reason: "ContainersNotReady",
                                     message: "containers with unready status: [\(names.joined(separator: " "))]"))
            }
        }
        out.append(conditions.first { $0.type == "PodScheduled" } ?? condition("PodScheduled", true))
        // Kubernetes' order: Initialized, Ready, ContainersReady, PodScheduled.
        let result = Self.kubeletConditionTypes.compactMap { t in out.first { $0.type == t } }
        conditions = result
        return others + result
    }

    /// The condition types the kubelet writes, in Kubernetes' order.
    public static let kubeletConditionTypes = ["Initialized", "Ready", "ContainersReady", "PodScheduled"]
}
