import ControllerRuntime
import Foundation
import Wire

/// Drives one pod on this node: sandbox, init containers in order, containers, restarts
/// with back-off, status, deadline and termination. One worker per pod UID; it loops on its
/// own task, waking on pod updates and every `pollInterval`, until the pod is gone.
///
/// Isolation: an actor. The API is only told (status, events, deletion); an apiserver outage
/// delays those, never the containers.
public actor PodWorker {
    let env: PodWorkerEnvironment
    public private(set) var pod: Pod
    /// Gone from the API, or no longer bound here: kill everything at once.
    var removed = false
    /// The pod object was deleted for good (after graceful termination).
    var finalized = false
    public private(set) var finished = false
    var sandboxID: String?
    var sandboxConfig: PodSandboxConfig?
    var tracks: [String: ContainerTrack] = [:]
    var backOff: CrashLoopBackOff
    /// Wall-clock start (status.startTime) and the same instant on the worker's clock.
    var startTime: String?
    var startedOnClock: Double?
    /// Phase, reason and message once the pod is finished (or refused).
    var terminal: Terminal?
    var conditions: [PodCondition] = []
    /// `DisruptionTarget=True` once the kubelet evicted the pod (`evict`).
    var disruption: PodCondition?
    /// Refused at admission: no pod IP and no kubelet conditions in its status.
    var admissionRejected = false
    var lastWritten: PodStatus?
    var nextSandboxTry = 0.0
    /// Probe workers and results by container id (`PodWorker+Probes`).
    var probeStates: [String: ProbeState] = [:]
    /// Volume name → host path, once set up.
    var volumePaths: [String: String]?
    var lastVolumeError: String?
    /// The last sandbox removal error reported (one FailedKillPod event per message).
    var lastKillError: String?
    /// Containers (by id) whose postStart hook returned while the worker waited for it.
    var returnedPostStarts: Set<String> = []
    private var loop: Task<Void, Never>?
    private var wake: CheckedContinuation<Void, Never>?
    private var wakePending = false

    struct Terminal: Equatable {
        var phase: String
        var reason: String?
        var message: String?
    }

    /// What the worker knows of one container (by name).
    struct ContainerTrack {
        var id: String?
        /// The container before the current one (kept for `logs --previous`).
        var previousID: String?
        var restartCount = 0
        var status: KubeletCore.ContainerStatus?
        var lastTerminated: ContainerStateTerminated?
        /// Why it is not running (config error, back-off), shown as `waiting`.
        var waiting: ContainerStateWaiting?
        /// When (on the worker's clock) the current container was first seen exited.
        var exitSeenAt: Double?
        /// The exit that a BackOff event was recorded for (one event per exit).
        var backOffReportedFor: String?
    }

    public init(pod: Pod, environment: PodWorkerEnvironment) {
        self.pod = pod
        env = environment
        backOff = CrashLoopBackOff(initial: environment.backOffInitial, cap: environment.backOffCap)
        conditions = pod.status?.conditions ?? []
        startTime = pod.status?.startTime
        if let phase = pod.status?.phase, phase == "Succeeded" || phase == "Failed" {
            terminal = Terminal(phase: phase, reason: pod.status?.reason, message: pod.status?.message)
        }
        lastWritten = pod.status
    }

    /// Refuses the pod (admission): it never starts; its status says why.
    public func reject(reason: String, message: String) {
        terminal = Terminal(phase: "Failed", reason: reason, message: message)
        admissionRejected = true
    }

    /// Node-pressure eviction with a hard threshold (grace 0): the pod fails with reason
    /// `Evicted`, gets `DisruptionTarget=True` (`TerminationByKubelet`) and a Warning event
    /// `Evicted`; the next sync kills its containers. False when it had already finished.
    @discardableResult
    public func evict(message: String) -> Bool {
        guard terminal == nil, !removed, pod.metadata.deletionTimestamp == nil else { return false }
        terminal = Terminal(phase: "Failed", reason: "Evicted", message: message)
        disruption = PodCondition(type: "DisruptionTarget", status: "True", lastTransitionTime: Timestamp.now(),
                                  reason: "TerminationByKubelet", message: message)
        env.api.event(pod, fieldPath: nil, type: "Warning", reason: "Evicted", message: message)
        signal()
        return true
    }

    public func start() {
        guard loop == nil else { return }
        loop = Task { await self.run() }
    }

    /// A newer version of the pod from the API.
    public func update(_ pod: Pod) {
        self.pod = pod
        signal()
    }

    /// The pod was deleted from the API or is no longer bound here.
    public func podRemoved() {
        removed = true
        signal()
    }

    /// Waits until the worker has cleaned up after its pod (tests, shutdown).
    public func waitUntilFinished() async {
        await loop?.value
    }

    /// Stops the loop without touching the containers (kubelet shutdown: they keep running).
    public func stop() {
        loop?.cancel()
        signal()
    }

    public var isTerminal: Bool { terminal != nil }
    /// Running its pod: neither finished nor refused, removed or being deleted.
    public var isActive: Bool { terminal == nil && !removed && pod.metadata.deletionTimestamp == nil }

    func wakeLoop() { signal() }

    private func signal() {
        if let w = wake {
            wake = nil
            w.resume()
        } else {
            wakePending = true
        }
    }

    private func run() async {
        while !Task.isCancelled {
            await syncOnce()
            if finished { return }
            await sleepOrWake(env.pollInterval)
        }
    }

    /// Sleeps until woken or `seconds` pass (the loop's wait; also used while a postStart runs).
    func sleepOrWake(_ seconds: Double) async {
        if wakePending {
            wakePending = false
            return
        }
        let timer = Task { [weak self] in
            // A cancelled timer (the worker woke for another reason) must not wake it again.
            guard (try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))) != nil else { return }
            await self?.timerFired()
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in wake = c }
        timer.cancel()
    }

    private func timerFired() { signal() }

    /// One pass: look at the runtime, move the pod one step on, publish status.
    func syncOnce() async {
        if removed {
            // A sandbox that could not be removed is retried on the next pass, not leaked.
            finished = await killEverything(removeDirectories: true)
            return
        }
        // Adopt first: a kubelet restarted during a graceful deletion must find the containers
        // to give them preStop and SIGTERM, not have the sandbox removal kill them at once.
        let resuming = !adopted
        await adoptIfNeeded()
        if pod.metadata.deletionTimestamp != nil {
            if !finalized { await terminateGracefully(resuming: resuming) }
            return
        }
        noteStart()
        await refreshStatuses()
        if terminal == nil { await checkDeadline() }
        if terminal == nil {
            await ensureSandbox()
            if terminal == nil, sandboxID != nil { await runContainers() }
        }
        if terminal != nil, !terminalStopped { await stopAfterFinish() }
        publishStatus()
    }

    var terminalStopped = false
    var adopted = false

    /// Picks up a sandbox and containers an earlier kubelet (or worker) left for this pod, so
    /// nothing runs twice.
    func adoptIfNeeded() async {
        guard !adopted else { return }
        adopted = true
        let uid = pod.metadata.uid ?? ""
        if let sandbox = (try? await env.runtime.listPodSandboxes())?.first(where: { $0.config.uid == uid && $0.state == .ready }) {
            sandboxID = sandbox.id
            sandboxConfig = sandbox.config
        }
        let found = (try? await env.runtime.listContainers(ContainerFilter(labels: [ContainerLabels.podUID: uid]))) ?? []
        for (name, all) in Dictionary(grouping: found, by: { $0.config.name }) {
            let sorted = all.sorted { $0.config.attempt < $1.config.attempt }
            guard let newest = sorted.last else { continue }
            var t = ContainerTrack()
            t.id = newest.id
            t.restartCount = newest.config.attempt
            t.status = newest
            if sorted.count > 1 {
                t.previousID = sorted[sorted.count - 2].id
                t.lastTerminated = Self.terminated(sorted[sorted.count - 2])
            }
            for older in sorted.dropLast(2) where older.state == .exited { await removeOldContainer(older.id) }
            if newest.state == .exited { t.exitSeenAt = env.clock.now }
            tracks[name] = t
            let isInit = (pod.spec?.initContainers ?? []).contains { $0.name == name }
            if newest.state == .running || newest.state == .unknown,
               let spec = ((pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])).first(where: { $0.name == name }) {
                await startProbes(spec, id: newest.id, isInit: isInit)
            }
        }
    }

    /// Reads the runtime's view of every current container; notes first sightings of exits.
    func refreshStatuses() async {
        for (name, t) in tracks {
            guard let id = t.id else { continue }
            guard let s = try? await env.runtime.containerStatus(id) else { continue }
            tracks[name]?.status = s
            if s.state == .exited, tracks[name]?.exitSeenAt == nil {
                firstSawExit(name, s)
                await stopProbes(id)
            }
        }
    }

    /// A container's exit, seen for the first time: noted on the worker's clock, and a
    /// container its memory limit killed gets a Warning `OOMKilled` event (the issue's
    /// event list; Kubernetes itself shows it only as the terminated reason).
    func firstSawExit(_ name: String, _ s: KubeletCore.ContainerStatus) {
        tracks[name]?.exitSeenAt = env.clock.now
        guard s.reason == "OOMKilled" else { return }
        let isInit = pod.spec?.initContainers?.contains { $0.name == name } ?? false
        env.api.event(pod, fieldPath: Self.fieldPath(name, isInit: isInit), type: "Warning", reason: "OOMKilled",
                      message: "Container \(name) was killed: it used more memory than its limit")
    }

    func checkDeadline() async {
        guard let limit = pod.spec?.activeDeadlineSeconds, let started = startedOnClock else { return }
        guard env.clock.now - started >= Double(limit) else { return }
        let message = "Pod was active on the node longer than the specified deadline"
        env.api.event(pod, fieldPath: nil, type: "Normal", reason: "DeadlineExceeded", message: message)
        terminal = Terminal(phase: "Failed", reason: "DeadlineExceeded", message: message)
        await stopContainers(grace: Double(pod.spec?.terminationGracePeriodSeconds ?? 30))
        await refreshStatuses()
    }

    /// The sandbox stops once the pod is finished (its containers stay stopped).
    func stopAfterFinish() async {
        await stopContainers(grace: 0)
        if let id = sandboxID { try? await env.runtime.stopPodSandbox(id) }
        await refreshStatuses()
        terminalStopped = true
    }

    static func terminated(_ s: KubeletCore.ContainerStatus) -> ContainerStateTerminated? {
        guard s.state == .exited else { return nil }
        return ContainerStateTerminated(containerID: "host://\(s.id)", exitCode: s.exitCode ?? 0, reason: s.reason.isEmpty ? nil : s.reason,
                                        message: s.message.isEmpty ? nil : s.message, startedAt: s.startedAt.map(Self.time),
                                        finishedAt: s.finishedAt.map(Self.time))
    }

    static func time(_ nanos: Int64) -> String { Timestamp.format(Double(nanos) / 1e9) }
}
