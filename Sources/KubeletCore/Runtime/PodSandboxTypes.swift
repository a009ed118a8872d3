/// What the kubelet asks of a pod's sandbox (CRI's `PodSandboxConfig`, the parts Skiff uses).
public struct PodSandboxConfig: Sendable, Equatable, Codable {
    public var name: String
    public var namespace: String
    public var uid: String
    /// The pod's restart of its sandbox (CRI's metadata.attempt).
    public var attempt: Int
    /// The pod's hostname, at most 63 characters (`hostname(forPod:)`).
    public var hostname: String
    /// Where the kubelet keeps this pod's container logs (`ContainerConfig.logPath` is
    /// relative to it), e.g. `<root>/pods/<namespace>_<name>_<uid>`.
    public var logDirectory: String
    public var labels: [String: String]
    public var annotations: [String: String]
    /// The RuntimeClass handler that runs the pod (`host` for now).
    public var runtimeHandler: String
    /// The pod's cgroup, relative to the runtime's cgroup root (CRI's
    /// `LinuxPodSandboxConfig.cgroup_parent`), e.g. `pod<uid>`; container cgroups go below
    /// it. nil: `pod<uid>`.
    public var cgroupParent: String?
    /// The pod cgroup's limits (CRI's `LinuxPodSandboxConfig.resources`): the sums of the
    /// containers' when all have them (`PodCgroupPlan`). nil: none, except the runtime's pids
    /// limit.
    public var resources: LinuxContainerResources?

    public init(name: String, namespace: String, uid: String, attempt: Int = 0, hostname: String, logDirectory: String,
                labels: [String: String] = [:], annotations: [String: String] = [:], runtimeHandler: String = "host",
                cgroupParent: String? = nil, resources: LinuxContainerResources? = nil) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.attempt = attempt
        self.hostname = hostname
        self.logDirectory = logDirectory
        self.labels = labels
        self.annotations = annotations
        self.runtimeHandler = runtimeHandler
        self.cgroupParent = cgroupParent
        self.resources = resources
    }

    /// `cgroupParent`, or `pod<uid>` when unset.
    public var podCgroup: String { cgroupParent ?? "pod\(uid)" }

    /// A pod's hostname as the kubelet derives it: the name cut to 63 characters (the limit
    /// of a DNS label), without the '-' and '.' the cut may leave at its end.
    public static func hostname(forPod name: String, requested: String? = nil) -> String {
        // Kubernetes' GeneratePodHostNameAndDomain: `spec.hostname` when set (an Indexed Job's
        // `<job>-<index>`), else the pod's name cut to 63 characters.
        if let requested, !requested.isEmpty { return requested }
        guard name.count > 63 else { return name }
        var cut = Substring(name.prefix(63))
        while let last = cut.last, last == "-" || last == "." { cut = cut.dropLast() }
        return String(cut)
    }
}

public enum PodSandboxState: String, Sendable, Codable {
    case ready = "SANDBOX_READY"
    case notReady = "SANDBOX_NOTREADY"
}

/// CRI's `PodSandboxStatus`: times in nanoseconds since the epoch.
public struct PodSandboxStatus: Sendable, Equatable {
    public var id: String
    public var config: PodSandboxConfig
    public var state: PodSandboxState
    public var createdAt: Int64

    public init(id: String, config: PodSandboxConfig, state: PodSandboxState, createdAt: Int64) {
        self.id = id
        self.config = config
        self.state = state
        self.createdAt = createdAt
    }
}
