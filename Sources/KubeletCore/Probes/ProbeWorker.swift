import ControllerRuntime
import Wire

/// Probes one container on a schedule, as Kubernetes' prober worker: the first attempt at
/// `start()` + initialDelaySeconds, then one every periodSeconds (default 10) with
/// timeoutSeconds (1) each; the result flips only after successThreshold (1) successes or
/// failureThreshold (3) failures in a row. Time is the injected clock's.
///
/// `onResult` is called once for the first thresholded result and then only when it changes
/// (the pod worker keeps the initial value, `ProbeKind.initiallyHealthy`, until then).
/// `onAttemptFailed` is called for every failed attempt (Kubernetes emits an `Unhealthy` event
/// for each: "<Kind> probe failed: <message>").
/// After a liveness or startup failure, or a startup success, the worker stops probing: the
/// container is restarted (a new worker probes the new container) or has started.
public actor ProbeWorker {
    public let kind: ProbeKind
    let probe: Probe
    let containerID: String
    let podIP: String
    let ports: [ContainerPort]
    let runner: ProbeRunner
    let clock: any RuntimeClock
    let onAttemptFailed: (@Sendable (_ kind: ProbeKind, _ message: String) async -> Void)?
    let onResult: @Sendable (_ kind: ProbeKind, _ healthy: Bool, _ message: String) async -> Void

    private var task: Task<Void, Never>?
    private var stopped = false
    private var lastAttempt: Bool?
    private var run = 0
    private var reported: Bool?
    /// Attempts made so far (tests wait on it).
    public private(set) var attempts = 0

    public init(kind: ProbeKind, probe: Probe, containerID: String, podIP: String, ports: [ContainerPort],
                runner: ProbeRunner, clock: any RuntimeClock,
                onAttemptFailed: (@Sendable (_ kind: ProbeKind, _ message: String) async -> Void)? = nil,
                onResult: @escaping @Sendable (_ kind: ProbeKind, _ healthy: Bool, _ message: String) async -> Void) {
        self.kind = kind
        self.probe = probe
        self.containerID = containerID
        self.podIP = podIP
        self.ports = ports
        self.runner = runner
        self.clock = clock
        self.onAttemptFailed = onAttemptFailed
        self.onResult = onResult
    }

    /// Starts probing (call when the container started). A second call does nothing.
    public func start() {
        guard task == nil, !stopped else { return }
        task = Task { await self.loop() }
    }

    /// Stops probing; no callback is made after it returns, except one already running.
    public func stop() {
        stopped = true
        task?.cancel()
        task = nil
    }

    var period: Double { Double(Self.positive(probe.periodSeconds, ProbeDefaults.periodSeconds)) }
    var successThreshold: Int { Int(Self.positive(probe.successThreshold, ProbeDefaults.successThreshold)) }
    var failureThreshold: Int { Int(Self.positive(probe.failureThreshold, ProbeDefaults.failureThreshold)) }

    /// Kubernetes defaults a field that is unset or 0.
    static func positive(_ value: Int32?, _ fallback: Int32) -> Int32 {
        guard let value, value > 0 else { return fallback }
        return value
    }

    private func loop() async {
        var next = clock.now + Double(max(0, probe.initialDelaySeconds ?? 0))
        while !stopped {
            do { try await clock.sleep(until: next) } catch { return }
            if stopped { return }
            guard await attempt() else { return }
            next = max(next + period, clock.now)
        }
    }

    /// One attempt and its bookkeeping; false when probing should end.
    private func attempt() async -> Bool {
        let verdict = await runner.probe(probe, containerID: containerID, podIP: podIP, ports: ports)
        if stopped { return false }
        attempts += 1
        var message = ""
        if case .failure(let m) = verdict {
            message = m
            await onAttemptFailed?(kind, m)
            if stopped { return false }
        }
        let ok = verdict.isSuccess
        if lastAttempt == ok {
            run += 1
        } else {
            lastAttempt = ok
            run = 1
        }
        if run < (ok ? successThreshold : failureThreshold) { return true }
        if reported != ok {
            reported = ok
            await onResult(kind, ok, message)
        }
        switch (kind, ok) {
        case (.liveness, false), (.startup, false), (.startup, true): return false
        default: return true
        }
    }
}
