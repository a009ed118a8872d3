#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim

/// Starts a container through its monitor process (`skiff-monitor`, Sources/skiff-monitor):
/// the monitor, detached from the kubelet, becomes the container's parent, writes
/// started.json, the CRI log and exited.json. `start` returns once the container runs (or
/// throws what stopped it), as the monitor reports on a pipe.
struct ContainerMonitor {
    let executable: String
    let stateDir: String
    let logPath: String
    let maxSize: Int
    let maxFiles: Int
    let lineLimit: Int
    let drainTimeout: Double
    /// The unified tree's cgroup.kill of the container cgroup, when there is one.
    var cgroupKillFile: String?
    /// The memory cgroup file holding the `oom_kill` counter.
    var oomFile: String?

    /// The monitor's command line for `request`: the UTS namespace, when any, is descriptor 4,
    /// the environment is descriptor `envFD`. The environment is never on the command line:
    /// /proc/<pid>/cmdline is readable by every user (secrets) and one argument is limited to
    /// 128 KiB (MAX_ARG_STRLEN).
    func arguments(_ request: SpawnRequest, envFD: Int32) -> [String] {
        var args = [executable, "--dir", stateDir, "--log", logPath, "--log-max-size", String(maxSize),
                    "--log-max-files", String(maxFiles), "--log-line-limit", String(lineLimit),
                    "--drain-ms", String(Int(drainTimeout * 1000))]
        if request.utsNamespaceFD >= 0 { args += ["--uts-fd", "4"] }
        for file in request.cgroupProcs { args += ["--cgroup-procs", file] }
        if let cgroupKillFile { args += ["--cgroup-kill", cgroupKillFile] }
        if let oomFile { args += ["--oom-file", oomFile] }
        if let adj = request.oomScoreAdj { args += ["--oom-score", String(adj)] }
        if let user = request.user {
            args += ["--ids", ([String(user.uid), String(user.gid)] + [user.groups.map(String.init).joined(separator: ",")].filter { !$0.isEmpty }).joined(separator: ":")]
        }
        args += ["--cwd", request.workingDir]
        if let path = request.env.last(where: { $0.name == "PATH" })?.value { args += ["--search-path", path] }
        args += ["--env-fd", String(envFD)]
        return args + ["--"] + request.argv
    }

    /// The environment as `NAME=value` entries each ended by a NUL byte, in a memfd (no file
    /// on disk; only root and the monitor's user can open it through /proc). A NUL inside a
    /// value ends it, as it would in execve's environment.
    static func environmentFile(_ env: [EnvVar]) throws(RuntimeError) -> Int32 {
        var bytes: [UInt8] = []
        for v in env {
            bytes += "\(v.name)=\(v.value)".utf8.prefix { $0 != 0 }
            bytes.append(0)
        }
        let fd = bytes.withUnsafeBytes { skiff_memory_file("skiff-env", $0.baseAddress, $0.count) }
        guard fd >= 0 else { throw RuntimeError(.internal, "container monitor: memfd for the environment: \(SpawnFailure.lowercasedError(errno))") }
        return fd
    }

    /// Starts the monitor and waits for its report. Throws `SpawnFailure` for the container's
    /// set-up steps (StartError material), `RuntimeError` otherwise; nothing runs then.
    func start(_ request: SpawnRequest) throws -> (containerPID: Int32, monitorPID: Int32) {
        let status = try Pipe()
        defer { close(status.read) }
        let environment = try Self.environmentFile(request.env)
        defer { close(environment) }
        var fds: [Int32] = [status.write]
        if request.utsNamespaceFD >= 0 { fds.append(request.utsNamespaceFD) }
        let argv = CStringArray(arguments(request, envFD: 3 + Int32(fds.count)))
        fds.append(environment)
        var failure = skiff_spawn_error()
        let launched = executable.withCString { path in skiff_spawn_detached(path, argv.pointer, fds, Int32(fds.count), &failure) }
        close(status.write)
        guard launched == 0 else {
            throw RuntimeError(.internal, "container monitor \(executable): \(SpawnFailure.stepName(failure.step)) failed: \(SpawnFailure.lowercasedError(failure.err))")
        }
        var report = skiff_monitor_status()
        let size = MemoryLayout<skiff_monitor_status>.size
        var got = 0
        while got < size {
            let n = withUnsafeMutableBytes(of: &report) { read(status.read, $0.baseAddress! + got, size - got) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        guard got == size else { throw RuntimeError(.internal, "container monitor ended before the container started") }
        switch report.step {
        case 0: return (report.pid, report.monitor_pid)
        case Int32(SKIFF_STEP_LOG_OPEN.rawValue):
            throw RuntimeError(.internal, "open \(logPath): \(SpawnFailure.lowercasedError(report.err))")
        case Int32(SKIFF_STEP_START_RECORD.rawValue):
            throw RuntimeError(.internal, "write \(stateDir)/started.json: \(SpawnFailure.lowercasedError(report.err))")
        case Int32(SKIFF_STEP_MONITOR_ARGS.rawValue), Int32(SKIFF_STEP_PIPE.rawValue):
            throw RuntimeError(.internal, "container monitor: \(SpawnFailure.stepName(report.step)) failed: \(SpawnFailure.lowercasedError(report.err))")
        default:
            throw SpawnFailure(step: report.step, errno: report.err, argv0: request.argv.first ?? "", workingDir: request.workingDir)
        }
    }
}
