import Foundation
import Wire

/// Probes, lifecycle hooks and volumes around the containers (the `probes` slice's runners).
extension PodWorker {
    /// What the probes of one running container (by runtime id) said so far.
    struct ProbeState {
        var name: String
        var isInit: Bool
        var workers: [ProbeWorker] = []
        /// The startup probe succeeded (true when there is none).
        var started: Bool
        /// The readiness probe's result (true when there is none).
        var ready: Bool
    }

    var runner: ProbeRunner { ProbeRunner(runtime: env.runtime, clock: env.clock) }

    /// Starts the container's probes: the startup probe first, liveness and readiness once it
    /// succeeded (at once without one). Init containers are not probed.
    func startProbes(_ c: Container, id: String, isInit: Bool) async {
        guard probeStates[id] == nil else { return }
        probeStates[id] = ProbeState(name: c.name, isInit: isInit, started: isInit || c.startupProbe == nil, ready: isInit || c.readinessProbe == nil)
        guard !isInit else { return }
        if let startup = c.startupProbe {
            await addProbe(.startup, startup, c, id: id)
        } else {
            await startLivenessAndReadiness(c, id: id)
        }
    }

    private func startLivenessAndReadiness(_ c: Container, id: String) async {
        if let p = c.livenessProbe { await addProbe(.liveness, p, c, id: id) }
        if let p = c.readinessProbe { await addProbe(.readiness, p, c, id: id) }
    }

    private func addProbe(_ kind: ProbeKind, _ probe: Probe, _ c: Container, id: String) async {
        let worker = ProbeWorker(kind: kind, probe: probe, containerID: id, podIP: env.hostIP, ports: c.ports ?? [], runner: runner, clock: env.clock,
                                 onAttemptFailed: { [weak self] kind, message in await self?.probeAttemptFailed(id, kind, message) },
                                 onResult: { [weak self] kind, healthy, message in await self?.probeResult(id, kind, healthy, message) })
        probeStates[id]?.workers.append(worker)
        await worker.start()
    }

    func probeAttemptFailed(_ id: String, _ kind: ProbeKind, _ message: String) {
        guard let s = probeStates[id] else { return }
        env.api.event(pod, fieldPath: Self.fieldPath(s.name, isInit: false), type: "Warning", reason: "Unhealthy",
                      message: "\(kind.title) probe failed: \(message)")
    }

    func probeResult(_ id: String, _ kind: ProbeKind, _ healthy: Bool, _ message: String) async {
        guard let s = probeStates[id], let c = (pod.spec?.containers ?? []).first(where: { $0.name == s.name }) else { return }
        switch (kind, healthy) {
        case (.readiness, _):
            probeStates[id]?.ready = healthy
        case (.startup, true):
            probeStates[id]?.started = true
            await startLivenessAndReadiness(c, id: id)
        case (.liveness, true):
            break
        case (.liveness, false), (.startup, false):
            let probe = kind == .liveness ? c.livenessProbe : c.startupProbe
            let grace = Double(probe?.terminationGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30)
            await killContainer(c, id: id, isInit: false, grace: grace,
                                message: "Container \(c.name) failed \(kind.rawValue) probe, will be restarted")
        }
        publishStatus()
    }

    /// Stops the probes of a container that is gone or being stopped.
    func stopProbes(_ id: String) async {
        guard let s = probeStates.removeValue(forKey: id) else { return }
        for w in s.workers { await w.stop() }
    }

    func stopAllProbes() async {
        for id in Array(probeStates.keys) { await stopProbes(id) }
    }

    /// Runs postStart; false (after killing the container) when it failed.
    func runPostStart(_ c: Container, id: String, isInit: Bool) async -> Bool {
        guard let hook = c.lifecycle?.postStart else { return true }
        // Waiting until the hook returns, as the status written meanwhile says.
        tracks[c.name]?.waiting = ContainerStateWaiting("ContainerCreating")
        publishStatus()
        defer { tracks[c.name]?.waiting = nil }
        // The hook has no time limit, but termination (deletion, removal, deadline, shutdown)
        // must not wait for it: the worker stops waiting and the termination path kills the
        // container, and with it the hook's exec (in its cgroup), as Kubernetes does.
        let runner = self.runner, description = ContainerConfigBuilder.podDescription(pod), podIP = env.hostIP, ports = c.ports ?? []
        let hookTask = Task { await runner.runHook(hook, containerID: id, containerName: c.name, podDescription: description, podIP: podIP, ports: ports, timeout: 0) }
        let waker = Task { [weak self] in
            _ = await hookTask.value
            await self?.postStartReturned(id)
        }
        defer { waker.cancel() }
        while !returnedPostStarts.contains(id) {
            if terminationRequested { return false }
            await sleepOrWake(env.pollInterval)
        }
        returnedPostStarts.remove(id)
        guard case .failure(let message) = await hookTask.value else { return true }
        env.api.event(pod, fieldPath: Self.fieldPath(c.name, isInit: isInit), type: "Warning", reason: "FailedPostStartHook", message: message)
        await killContainer(c, id: id, isInit: isInit, grace: Double(pod.spec?.terminationGracePeriodSeconds ?? 30), message: "FailedPostStartHook",
                            runPreStop: false)
        return false
    }

    func postStartReturned(_ id: String) {
        returnedPostStarts.insert(id)
        wakeLoop()
    }

    /// The pod is being deleted or removed, past its deadline, or the worker is stopping.
    var terminationRequested: Bool {
        if removed || pod.metadata.deletionTimestamp != nil || Task.isCancelled { return true }
        guard let limit = pod.spec?.activeDeadlineSeconds, let started = startedOnClock else { return false }
        return env.clock.now - started >= Double(limit)
    }

    /// Kubernetes' killContainer: a Killing event, preStop within the grace period, then
    /// SIGTERM and SIGKILL when what is left of it (at least 2 s after a preStop) has passed.
    func killContainer(_ c: Container, id: String, isInit: Bool, grace: Double, message: String? = nil, runPreStop: Bool = true) async {
        await stopProbes(id)
        env.api.event(pod, fieldPath: Self.fieldPath(c.name, isInit: isInit), type: "Normal", reason: "Killing",
                      message: message ?? "Stopping container \(c.name)")
        var left = grace
        if runPreStop, grace > 0, let hook = c.lifecycle?.preStop,
           let s = try? await env.runtime.containerStatus(id), s.state == .running || s.state == .unknown {
            let began = Date()
            let verdict = await runner.runHook(hook, containerID: id, containerName: c.name, podDescription: ContainerConfigBuilder.podDescription(pod),
                                               podIP: env.hostIP, ports: c.ports ?? [], timeout: grace)
            if case .failure(let m) = verdict {
                env.api.event(pod, fieldPath: Self.fieldPath(c.name, isInit: isInit), type: "Warning", reason: "FailedPreStopHook", message: m)
            }
            left = max(grace - Date().timeIntervalSince(began), 2)
        }
        try? await env.runtime.stopContainer(id, timeout: left)
    }

    /// Sets up the pod's volumes once (before any container); false while that fails (a
    /// FailedMount event says why, once per message).
    func ensureVolumes() async -> Bool {
        if volumePaths != nil { return true }
        guard !(pod.spec?.volumes ?? []).isEmpty else {
            volumePaths = [:]
            return true
        }
        do {
            volumePaths = try await VolumeManager(source: env.objects, nodeAllocatable: env.allocatable).setUp(pod: pod, podDirectory: env.podDirectory(pod))
            return true
        } catch {
            let message = "\(error)"
            if lastVolumeError != message {
                lastVolumeError = message
                env.api.event(pod, fieldPath: nil, type: "Warning", reason: "FailedMount", message: message)
            }
            return false
        }
    }
}
