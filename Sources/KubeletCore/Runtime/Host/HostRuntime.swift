#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Wire

/// The `host` runtime handler: each container is a child process on the host's file system
/// (see `RuntimeService`). Records on disk (`StateDirectory`) are the truth; memory holds the
/// live handles of what this process started and the container records it has read. With a cgroup root, each pod and container
/// gets a cgroup (`CgroupManager`, see HostRuntime+Cgroups).
///
/// Each container runs under its own monitor process (`skiff-monitor`: its parent, log writer
/// and exit recorder), so containers outlive a kubelet restart: a runtime made over the same
/// state directory re-adopts the running ones (monitors and UTS holders, verified by pid and
/// start time) and reads the exits recorded while no kubelet ran.
public final class HostRuntime: RuntimeService, Sendable {
    public static let handlerName = "host"
    public static let runtimeVersion = "0.1.0"

    let config: HostRuntimeConfig
    let disk: StateDirectory
    public let images: HostImageService
    let table: Mutex<Table>
    /// nil when `config.cgroupRoot` is nil.
    public let cgroups: CgroupManager?
    /// Written to by `shutdown`: every watcher thread polls the read end and stops.
    let stopWatching: Pipe

    struct Table {
        var sandboxes: [String: LiveSandbox] = [:]
        var containers: [String: LiveContainer] = [:]
        /// Set by `shutdown`: nothing is watched any more.
        var shutDown = false
    }

    struct LiveSandbox {
        var config: PodSandboxConfig
        var uts: PodUTSNamespace?
    }

    struct LiveContainer {
        var sandboxID: String
        var run: MonitoredContainer?
        /// Set while a start is in progress, so that two starts cannot both spawn.
        var starting = false
        /// The container's records once read (each file is written once, so a record read
        /// stays true): a status decodes no file twice.
        var record: ContainerRecord?
        var start: StartRecord?
        var exit: ExitRecord?
    }

    /// Loads the records an earlier kubelet left (without live handles).
    public init(config: HostRuntimeConfig, images: HostImageService = HostImageService()) throws(RuntimeError) {
        self.config = config
        self.images = images
        disk = StateDirectory(root: config.stateDirectory)
        cgroups = config.cgroupRoot.map { CgroupManager(root: $0, layout: config.cgroupLayout ?? .current()) }
        try disk.createDirectory("\(config.stateDirectory)/sandboxes")
        // Only the kubelet's user may look into the records (container.json holds environments).
        chmod(config.stateDirectory, 0o700)
        stopWatching = try Pipe()
        var loaded = Table()
        var running: [(container: String, sandbox: String, start: StartRecord)] = []
        for sandboxID in disk.list("\(config.stateDirectory)/sandboxes") {
            let dir = disk.sandboxDir(sandboxID)
            guard let record = disk.read(SandboxRecord.self, from: "\(dir)/sandbox.json") else { continue }
            let holder = record.state == .ready ? disk.read(HolderRecord.self, from: "\(dir)/holder.json") : nil
            loaded.sandboxes[sandboxID] = LiveSandbox(config: record.config, uts: holder.flatMap(PodUTSNamespace.init(adopting:)))
            for containerID in disk.list(disk.containersDir(sandboxID)) {
                loaded.containers[containerID] = LiveContainer(sandboxID: sandboxID)
                let cdir = disk.containerDir(sandboxID, containerID)
                if let start = disk.read(StartRecord.self, from: "\(cdir)/started.json"), start.monitorPid != nil,
                   disk.read(ExitRecord.self, from: "\(cdir)/exited.json") == nil {
                    running.append((containerID, sandboxID, start))
                }
            }
        }
        table = Mutex(loaded)
        // Re-adoption: what still runs is watched again; a monitor that ended meanwhile left
        // its exit on disk (or, killed itself, is recorded as lost by the watcher at once).
        for r in running { watch(r.container, sandboxID: r.sandbox, start: r.start) }
    }

    /// Forgets every live handle without stopping anything (the containers, their monitors
    /// and the UTS holders run on), as a kubelet that exits does: watcher threads end, the
    /// namespace descriptors close. The runtime must not be used afterwards; a new one over
    /// the same state directory re-adopts what runs.
    public func shutdown() {
        var byte: UInt8 = 1
        _ = write(stopWatching.write, &byte, 1)
        table.withLock { t in
            t.shutDown = true
            for id in t.containers.keys { t.containers[id]?.run = nil }
            for id in t.sandboxes.keys { t.sandboxes[id]?.uts = nil }
        }
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
