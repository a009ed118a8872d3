#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Wire

/// The `host` runtime handler: each container is a child process on the host's file system
/// (see `RuntimeService`). Records on disk (`StateDirectory`) are the truth; memory holds the
/// live handles of what this process started. With a cgroup root, each pod and container
/// gets a cgroup (`CgroupManager`, see HostRuntime+Cgroups).
///
/// Still to come in later slices: the per-container monitor process that becomes the
/// containers' parent and log writer, and re-adopting sandboxes and containers after a kubelet restart (until then a container
/// started by an earlier kubelet reports state `unknown`, and its sandbox cannot start new
/// containers when it holds a UTS namespace).
public final class HostRuntime: RuntimeService, Sendable {
    public static let handlerName = "host"
    public static let runtimeVersion = "0.1.0"

    let config: HostRuntimeConfig
    let disk: StateDirectory
    public let images: HostImageService
    let table: Mutex<Table>
    /// nil when `config.cgroupRoot` is nil.
    public let cgroups: CgroupManager?

    struct Table {
        var sandboxes: [String: LiveSandbox] = [:]
        var containers: [String: LiveContainer] = [:]
        /// Earlier kubelets' containers being stopped now (their exit is recorded by the stop).
        var stoppingUnadopted: Set<String> = []
    }

    struct LiveSandbox {
        var config: PodSandboxConfig
        var uts: PodUTSNamespace?
    }

    struct LiveContainer {
        var sandboxID: String
        var run: ContainerRun?
        /// Set while a start is in progress, so that two starts cannot both spawn.
        var starting = false
    }

    /// Loads the records an earlier kubelet left (without live handles).
    public init(config: HostRuntimeConfig, images: HostImageService = HostImageService()) throws(RuntimeError) {
        self.config = config
        self.images = images
        disk = StateDirectory(root: config.stateDirectory)
        cgroups = config.cgroupRoot.map { CgroupManager(root: $0, layout: config.cgroupLayout ?? .current()) }
        try disk.createDirectory("\(config.stateDirectory)/sandboxes")
        var loaded = Table()
        for sandboxID in disk.list("\(config.stateDirectory)/sandboxes") {
            guard let record = disk.read(SandboxRecord.self, from: "\(disk.sandboxDir(sandboxID))/sandbox.json") else { continue }
            loaded.sandboxes[sandboxID] = LiveSandbox(config: record.config, uts: nil)
            for containerID in disk.list(disk.containersDir(sandboxID)) {
                loaded.containers[containerID] = LiveContainer(sandboxID: sandboxID)
            }
        }
        table = Mutex(loaded)
    }

    public func version(kubeletAPIVersions: [String]) async throws -> RuntimeVersion {
        let api = try CRIVersion.negotiate(kubelet: kubeletAPIVersions, runtime: config.apiVersions)
        return RuntimeVersion(version: "0.1.0", runtimeName: Self.handlerName, runtimeVersion: Self.runtimeVersion, runtimeAPIVersion: api)
    }

    /// 64 hex digits, as CRI runtimes name things.
    static func newID() -> String {
        (0..<4).map { _ in
            let s = String(UInt64.random(in: .min ... .max), radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }

    static func now() -> Int64 { Int64(Timestamp.nowNanos()) }
}
