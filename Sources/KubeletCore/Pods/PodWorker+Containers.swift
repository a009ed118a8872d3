import Foundation
import Wire

/// Sandbox, init containers in order, containers, restarts with back-off.
extension PodWorker {
    var restartPolicy: String { pod.spec?.restartPolicy ?? "Always" }

    static func fieldPath(_ name: String, isInit: Bool) -> String {
        isInit ? "spec.initContainers{\(name)}" : "spec.containers{\(name)}"
    }

    /// Sets startTime (and its instant on the worker's clock) on the first pass.
    func noteStart() {
        guard startedOnClock == nil else { return }
        let now = env.clock.now
        if let startTime, let wall = Timestamp.parse(startTime) {
            startedOnClock = now - max(0, Timestamp.nowSeconds() - wall)
        } else {
            startTime = Timestamp.now()
            startedOnClock = now
        }
    }

    func ensureSandbox() async {
        guard sandboxID == nil, env.clock.now >= nextSandboxTry else { return }
        let handler = pod.spec?.runtimeClassName ?? env.defaultRuntimeHandler
        guard env.runtimeHandlers.contains(handler) else {
            let message = "runtime handler \"\(handler)\" is not supported by this node (it runs: \(env.runtimeHandlers.sorted().joined(separator: ", ")))"
            env.api.event(pod, fieldPath: nil, type: "Warning", reason: "FailedCreatePodSandBox", message: "Failed to create pod sandbox: \(message)")
            terminal = Terminal(phase: "Failed", reason: "UnsupportedRuntimeHandler", message: message)
            return
        }
        let name = pod.metadata.name ?? ""
        let plan = PodCgroupPlan.forPod(pod, nodeMemoryCapacity: env.nodeMemoryCapacity)
        let config = PodSandboxConfig(name: name, namespace: pod.metadata.namespace ?? "default", uid: pod.metadata.uid ?? "",
                                      hostname: PodSandboxConfig.hostname(forPod: name, requested: pod.spec?.hostname), logDirectory: env.logDirectory(pod),
                                      labels: ContainerConfigBuilder.labels(pod), annotations: pod.metadata.annotations ?? [:],
                                      runtimeHandler: handler, cgroupParent: plan.cgroupParent, resources: plan.podResources)
        do {
            sandboxID = try await env.runtime.runPodSandbox(config)
            sandboxConfig = config
        } catch {
            nextSandboxTry = env.clock.now + 10
            env.api.event(pod, fieldPath: nil, type: "Warning", reason: "FailedCreatePodSandBox", message: "Failed to create pod sandbox: \(error)")
        }
    }

    /// Init containers one at a time (each must exit 0), then every container.
    func runContainers() async {
        guard await ensureVolumes() else { return }
        for c in pod.spec?.initContainers ?? [] {
            let t = tracks[c.name]
            if let s = t?.status, s.state == .exited, s.exitCode == 0 { continue }
            if let s = t?.status, s.state == .exited {
                if restartPolicy == "Never" {
                    terminal = Terminal(phase: "Failed", reason: nil, message: nil)
                    return
                }
                await restartIfDue(c, isInit: true)
                return
            }
            if t?.status == nil || t?.id == nil { await startContainer(c, isInit: true) }
            return
        }
        for c in pod.spec?.containers ?? [] {
            // A termination that came while a postStart ran starts nothing more.
            if terminationRequested { return }
            let t = tracks[c.name]
            if let s = t?.status, s.state == .exited {
                let restart = restartPolicy == "Always" || (restartPolicy == "OnFailure" && s.exitCode != 0)
                if restart { await restartIfDue(c, isInit: false) }
                continue
            }
            if t?.id == nil { await startContainer(c, isInit: false) }
        }
        if let phase = finishedPhase() {
            terminal = Terminal(phase: phase, reason: nil, message: nil)
        }
    }

    /// Succeeded or Failed once every container has exited for good.
    func finishedPhase() -> String? {
        var allZero = true
        for c in pod.spec?.containers ?? [] {
            guard let s = tracks[c.name]?.status, s.state == .exited, tracks[c.name]?.waiting == nil else { return nil }
            let code = s.exitCode ?? 0
            if restartPolicy == "Always" || (restartPolicy == "OnFailure" && code != 0) { return nil }
            if code != 0 { allZero = false }
        }
        return allZero ? "Succeeded" : "Failed"
    }

    /// Restarts an exited container unless its back-off is still running (then it waits as
    /// `CrashLoopBackOff`).
    func restartIfDue(_ c: Container, isInit: Bool) async {
        guard var t = tracks[c.name], let s = t.status else { return }
        let now = env.clock.now
        let key = c.name
        if backOff.isInBackOff(key, since: t.exitSeenAt ?? now, now: now) {
            let delay = CrashLoopBackOff.goDuration(backOff.delay(key) ?? env.backOffInitial)
            let pod = ContainerConfigBuilder.podDescription(self.pod)
            t.waiting = ContainerStateWaiting("CrashLoopBackOff", "back-off \(delay) restarting failed container=\(c.name) pod=\(pod)")
            if t.backOffReportedFor != s.id {
                t.backOffReportedFor = s.id
                env.api.event(self.pod, fieldPath: Self.fieldPath(c.name, isInit: isInit), type: "Warning", reason: "BackOff",
                              message: "Back-off restarting failed container \(c.name) in pod \(pod)")
            }
            tracks[c.name] = t
            return
        }
        backOff.next(key, now: now)
        t.lastTerminated = Self.terminated(s)
        t.restartCount += 1
        t.waiting = nil
        // The previous container stays for `logs --previous`; older ones go, logs too.
        if let old = t.previousID { await removeOldContainer(old) }
        t.previousID = s.id
        t.id = nil
        t.status = nil
        t.exitSeenAt = nil
        tracks[c.name] = t
        await startContainer(c, isInit: isInit)
    }

    /// Removes an exited container more than one attempt back, and its log files (`N.log` and
    /// the rotated `N.log.1`...): Kubernetes keeps the current and the previous attempt's logs.
    func removeOldContainer(_ id: String) async {
        let logPath = (try? await env.runtime.containerStatus(id))?.logPath
        guard (try? await env.runtime.removeContainer(id)) != nil, let logPath else { return }
        Self.removeLogFiles(logPath)
    }

    static func removeLogFiles(_ path: String) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let dir = String(path[..<slash]), name = String(path[path.index(after: slash)...])
        try? FileManager.default.removeItem(atPath: path)
        for file in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where file.hasPrefix(name + ".") {
            let suffix = file.dropFirst(name.count + 1)
            if !suffix.isEmpty, suffix.allSatisfy(\.isNumber) { try? FileManager.default.removeItem(atPath: "\(dir)/\(file)") }
        }
    }

    /// Creates and starts the container for its current restart count. A config that cannot
    /// be made leaves it waiting (`CreateContainerConfigError`); a failed start leaves it
    /// exited (`StartError`), restarted per policy.
    func startContainer(_ c: Container, isInit: Bool) async {
        guard let sandboxID, let sandboxConfig else { return }
        var t = tracks[c.name] ?? ContainerTrack()
        let path = Self.fieldPath(c.name, isInit: isInit)
        let config: ContainerConfig
        do {
            let context = ContainerEnvironment.Context(podIP: env.hostIP, hostIP: env.hostIP, allocatable: env.allocatable)
            let environment = try await ContainerEnvironment.make(pod: pod, container: c, context: context, objects: env.objects)
            var withVolumes = environment
            for v in VolumeManager.mountEnvironment(c, volumePaths: volumePaths ?? [:]) { withVolumes.set(v.name, v.value) }
            var built = try ContainerConfigBuilder.build(pod: pod, container: c, restartCount: t.restartCount, environment: withVolumes)
            built.resources = PodCgroupPlan.forPod(pod, nodeMemoryCapacity: env.nodeMemoryCapacity).containers[c.name]
            config = built
            for w in environment.warnings where t.waiting != nil || t.status == nil {
                env.api.event(pod, fieldPath: nil, type: "Warning", reason: w.reason, message: w.message)
            }
        } catch {
            let message = (error as? ContainerConfigError)?.message ?? "\(error)"
            if t.waiting?.message != message {
                env.api.event(pod, fieldPath: path, type: "Warning", reason: "Failed", message: "Error: \(message)")
            }
            t.waiting = ContainerStateWaiting("CreateContainerConfigError", message)
            tracks[c.name] = t
            return
        }
        let previousWaiting = t.waiting
        t.waiting = nil
        let id: String
        do {
            id = try await env.runtime.createContainer(podSandboxID: sandboxID, config: config, sandboxConfig: sandboxConfig)
        } catch {
            // One event per distinct error, not one per pass.
            if previousWaiting?.reason != "CreateContainerError" || previousWaiting?.message != "\(error)" {
                env.api.event(pod, fieldPath: path, type: "Warning", reason: "Failed", message: "Error: \(error)")
            }
            t.waiting = ContainerStateWaiting("CreateContainerError", "\(error)")
            tracks[c.name] = t
            return
        }
        env.api.event(pod, fieldPath: path, type: "Normal", reason: "Created", message: "Created container \(c.name)")
        t.id = id
        tracks[c.name] = t
        do {
            try await env.runtime.startContainer(id)
            env.api.event(pod, fieldPath: path, type: "Normal", reason: "Started", message: "Started container \(c.name)")
            // The container counts as started only once postStart returned.
            if await runPostStart(c, id: id, isInit: isInit) { await startProbes(c, id: id, isInit: isInit) }
        } catch {
            env.api.event(pod, fieldPath: path, type: "Warning", reason: "Failed", message: "Error: \(error)")
        }
        if let s = try? await env.runtime.containerStatus(id) {
            tracks[c.name]?.status = s
            if s.state == .exited { firstSawExit(c.name, s) }
        }
    }

    /// Stops every running container at once, in parallel, each within `grace` seconds.
    func stopContainers(grace: Double, announce: Bool = true) async {
        let running = tracks.compactMap { name, t -> (String, String)? in
            guard let id = t.id, let s = t.status, s.state == .running || s.state == .unknown || s.state == .created else { return nil }
            return (name, id)
        }
        let isInit = Set((pod.spec?.initContainers ?? []).map(\.name))
        let specs = (pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])
        await stopAllProbes()
        await withTaskGroup(of: Void.self) { group in
            for (name, id) in running {
                if announce, let spec = specs.first(where: { $0.name == name }) {
                    // preStop, then SIGTERM/SIGKILL, each container in parallel.
                    group.addTask { await self.killContainer(spec, id: id, isInit: isInit.contains(name), grace: grace) }
                } else {
                    let runtime = env.runtime
                    group.addTask { try? await runtime.stopContainer(id, timeout: grace) }
                }
            }
        }
    }
}
