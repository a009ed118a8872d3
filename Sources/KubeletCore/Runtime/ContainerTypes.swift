/// One environment variable, in order (CRI's `KeyValue`).
public struct EnvVar: Sendable, Equatable, Codable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The numeric identity a container runs as (CRI's `LinuxContainerSecurityContext`
/// run_as_user / run_as_group / supplemental_groups). nil fields keep the runtime's own.
public struct ContainerUser: Sendable, Equatable, Codable {
    public var uid: UInt32?
    /// Defaults to the user's primary group in the host's passwd database, else 0, when
    /// `uid` is set.
    public var gid: UInt32?
    public var supplementalGroups: [UInt32]
    public init(uid: UInt32? = nil, gid: UInt32? = nil, supplementalGroups: [UInt32] = []) {
        self.uid = uid
        self.gid = gid
        self.supplementalGroups = supplementalGroups
    }
}

/// What the kubelet asks of a container (CRI's `ContainerConfig`, the parts Skiff uses). The
/// kubelet has already expanded `$(VAR)` references in command and args.
public struct ContainerConfig: Sendable, Equatable, Codable {
    public var name: String
    /// The container's restart count (CRI's metadata.attempt).
    public var attempt: Int
    /// Recorded; the `host` handler runs from the host's file system.
    public var image: String
    /// The executable and its first arguments (Kubernetes' `command`); args follow.
    public var command: [String]
    public var args: [String]
    /// "" means "/".
    public var workingDir: String
    public var env: [EnvVar]
    public var user: ContainerUser
    /// Relative to the sandbox's log directory, e.g. `app/0.log`.
    public var logPath: String
    public var labels: [String: String]
    public var annotations: [String: String]
    /// The container cgroup's limits and the processes' oom_score_adj (CRI's
    /// `LinuxContainerConfig.resources`); `PodCgroupPlan` computes them from the pod. nil:
    /// none (the container still gets its own cgroup when the runtime has cgroups).
    public var resources: LinuxContainerResources?

    public init(name: String, attempt: Int = 0, image: String = "", command: [String], args: [String] = [], workingDir: String = "",
                env: [EnvVar] = [], user: ContainerUser = ContainerUser(), logPath: String,
                labels: [String: String] = [:], annotations: [String: String] = [:], resources: LinuxContainerResources? = nil) {
        self.name = name
        self.attempt = attempt
        self.image = image
        self.command = command
        self.args = args
        self.workingDir = workingDir
        self.env = env
        self.user = user
        self.logPath = logPath
        self.labels = labels
        self.annotations = annotations
        self.resources = resources
    }
}

public enum ContainerState: String, Sendable, Codable {
    case created = "CONTAINER_CREATED"
    case running = "CONTAINER_RUNNING"
    case exited = "CONTAINER_EXITED"
    case unknown = "CONTAINER_UNKNOWN"
}

/// CRI's `ContainerStatus`. Times are nanoseconds since the epoch.
public struct ContainerStatus: Sendable, Equatable {
    public var id: String
    public var podSandboxID: String
    public var config: ContainerConfig
    public var state: ContainerState
    public var createdAt: Int64
    public var startedAt: Int64?
    public var finishedAt: Int64?
    /// The process id while it runs (nil before and after).
    public var pid: Int32?
    /// Set once exited: the exit status, or 128 + signal when a signal ended it.
    public var exitCode: Int32?
    /// `Completed`, `Error`, `OOMKilled` or `StartError` once exited (as containerd), "" before.
    public var reason: String
    public var message: String
    /// The absolute path of the container's current log file.
    public var logPath: String

    public init(id: String, podSandboxID: String, config: ContainerConfig, state: ContainerState, createdAt: Int64,
                startedAt: Int64? = nil, finishedAt: Int64? = nil, pid: Int32? = nil, exitCode: Int32? = nil,
                reason: String = "", message: String = "", logPath: String) {
        self.id = id
        self.podSandboxID = podSandboxID
        self.config = config
        self.state = state
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.pid = pid
        self.exitCode = exitCode
        self.reason = reason
        self.message = message
        self.logPath = logPath
    }
}

/// Which containers `listContainers` returns: all conditions must hold; nil matches all.
public struct ContainerFilter: Sendable, Equatable {
    public var id: String?
    public var podSandboxID: String?
    public var state: ContainerState?
    public var labels: [String: String]
    public init(id: String? = nil, podSandboxID: String? = nil, state: ContainerState? = nil, labels: [String: String] = [:]) {
        self.id = id
        self.podSandboxID = podSandboxID
        self.state = state
        self.labels = labels
    }
}

/// What `execSync` returns.
public struct ExecSyncResult: Sendable, Equatable {
    public var exitCode: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public init(exitCode: Int32, stdout: [UInt8], stderr: [UInt8]) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// An image as the image service knows it (CRI's `Image`).
public struct ImageRecord: Sendable, Equatable, Codable {
    public var id: String
    public var repoTags: [String]
    public var size: UInt64
    public init(id: String, repoTags: [String], size: UInt64) {
        self.id = id
        self.repoTags = repoTags
        self.size = size
    }
}
