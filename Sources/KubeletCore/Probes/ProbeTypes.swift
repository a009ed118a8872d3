import Wire

/// Which of a container's probes a worker runs.
public enum ProbeKind: String, Sendable {
    case liveness, readiness, startup

    /// As Kubernetes words it in events: "Liveness probe failed: ...".
    public var title: String {
        switch self {
        case .liveness: "Liveness"
        case .readiness: "Readiness"
        case .startup: "Startup"
        }
    }

    /// The result before the first thresholded one (Kubernetes' prober worker): a container is
    /// not ready until its readiness probe succeeds; liveness and startup start healthy.
    public var initiallyHealthy: Bool { self != .readiness }
}

/// One attempt's verdict (Kubernetes' probe.Result). `message` says why on failure, worded as
/// Kubernetes' probers word it (the caller prefixes "Liveness probe failed: " for events).
public enum ProbeVerdict: Sendable, Equatable {
    case success
    case failure(String)

    public var isSuccess: Bool { self == .success }
}

/// What Kubernetes' probes default to when a field is unset.
enum ProbeDefaults {
    static let periodSeconds: Int32 = 10
    static let timeoutSeconds: Int32 = 1
    static let successThreshold: Int32 = 1
    static let failureThreshold: Int32 = 3
    /// Output kept from an exec probe and response body read from an HTTP probe (10 KiB, as
    /// Kubernetes' maxReadLength / maxRespBodyLength).
    static let maxOutput = 10 * 1024
}

extension Probe {
    /// The attempt's timeout in seconds: `timeoutSeconds`, 1 when unset or below 1.
    var effectiveTimeout: Double { Double(max(1, timeoutSeconds ?? ProbeDefaults.timeoutSeconds)) }
}
