#if canImport(Glibc)
import Glibc
#endif

/// Settings of the `host` runtime handler, each with the kubelet's default.
public struct HostRuntimeConfig: Sendable {
    /// Where sandbox and container records live (see `StateDirectory`), e.g.
    /// `<kubelet root>/runtime/host`. Created when missing.
    public var stateDirectory: String
    /// A container log file is rotated before it passes this many bytes (kubelet's
    /// containerLogMaxSize, 10 MiB).
    public var logMaxSize: Int = 10 * 1024 * 1024
    /// At most this many files per container log, the current one included (kubelet's
    /// containerLogMaxFiles, 5).
    public var logMaxFiles: Int = 5
    /// Longer lines are cut into `P` records of this size (containerd's 16 KiB).
    public var logLineLimit: Int = 16 * 1024
    /// How long an exit waits for the container's log pipes to drain before it is recorded
    /// (children the container left running may hold them open).
    public var logDrainTimeout: Double = 2
    /// Give each pod its own UTS namespace (needs root; without it containers see the host's
    /// hostname, and HOSTNAME still names the pod).
    public var podUTSNamespace: Bool = geteuid() == 0
    /// The program a pod's namespace holder runs (`skiff-pause`); by default the one beside
    /// this executable. nil: the holder stays a fork of the kubelet (costly, see
    /// `PodUTSNamespace`).
    public var podHolderExecutable: String? = HostRuntimeConfig.besideThisProgram("skiff-pause")
    /// The container monitor (`skiff-monitor`, each container's parent and log writer); by
    /// default the one beside this executable. Containers cannot start without it.
    public var monitorExecutable: String? = HostRuntimeConfig.besideThisProgram("skiff-monitor")
    /// The cgroup root below each hierarchy's mount (`--cgroup-root`; the kubelet's default is
    /// `skiff/<node name>`). nil: no cgroups (containers run without limits).
    public var cgroupRoot: String?
    /// pids.max of each pod cgroup (`--pod-pids-limit`); -1 (the default): unlimited.
    public var podPidsLimit: Int64 = -1
    /// The cgroup mounts to use; nil: read from /proc/self/mountinfo (tests give others).
    public var cgroupLayout: CgroupLayout?
    /// CRI API versions this handler speaks.
    public var apiVersions: [String] = ["v1"]

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    /// `name` in the directory of /proc/self/exe, when it is there and executable.
    public static func besideThisProgram(_ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = exe.lastIndex(of: "/") else { return nil }
        let candidate = String(exe[..<slash]) + "/" + name
        return access(candidate, X_OK) == 0 ? candidate : nil
    }
}
