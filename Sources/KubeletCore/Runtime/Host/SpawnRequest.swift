#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim

/// A process to start through the C spawn (`skiff_spawn`): see skiff_process.h for the order
/// of the child's steps. Descriptors are borrowed: the caller closes them after `spawn`.
struct SpawnRequest {
    /// argv[0] is the executable, searched for in the environment's PATH when it has no '/'.
    var argv: [String]
    var env: [EnvVar]
    var workingDir: String = "/"
    var user: ResolvedUser?
    var utsNamespaceFD: Int32 = -1
    /// cgroup.procs files to join (the container's cgroups, see `CgroupManager`).
    var cgroupProcs: [String] = []
    /// Written to /proc/self/oom_score_adj before the ids change; nil keeps the kubelet's.
    var oomScoreAdj: Int32?
    var stdinFD: Int32 = -1
    var stdoutFD: Int32 = -1
    var stderrFD: Int32 = -1
    /// stdin is a terminal that becomes the process's controlling terminal (exec with a tty).
    var controllingTerminal = false
}

/// Numeric ids to switch to, with the group already resolved.
struct ResolvedUser: Equatable {
    var uid: UInt32
    var gid: UInt32
    var groups: [UInt32]
}

/// Why a spawn failed: the child's step and errno.
struct SpawnFailure: Error {
    var step: Int32
    var errno: Int32
    var argv0: String
    var workingDir: String

    /// Messages in runc's words where runc has them, so users meet familiar text.
    var message: String {
        let reason = Self.lowercasedError(errno)
        switch step {
        case Int32(SKIFF_STEP_EXEC.rawValue):
            if !argv0.contains("/") && errno == ENOENT { return "exec: \"\(argv0)\": executable file not found in $PATH" }
            return "exec: \"\(argv0)\": \(reason)"
        case Int32(SKIFF_STEP_CHDIR.rawValue): return "chdir to cwd (\"\(workingDir)\") failed: \(reason)"
        default: return "\(Self.stepName(step)) failed: \(reason)"
        }
    }

    static func stepName(_ step: Int32) -> String {
        let names: [UInt32: String] = [
            SKIFF_STEP_PIPE.rawValue: "pipe", SKIFF_STEP_FORK.rawValue: "fork", SKIFF_STEP_SIGNALS.rawValue: "signal reset",
            SKIFF_STEP_SETSID.rawValue: "setsid", SKIFF_STEP_CGROUP.rawValue: "joining cgroup",
            SKIFF_STEP_SETNS.rawValue: "setns(uts)", SKIFF_STEP_STDIO.rawValue: "stdio set-up",
            SKIFF_STEP_CLOSE_FDS.rawValue: "closing descriptors", SKIFF_STEP_SETGROUPS.rawValue: "setgroups",
            SKIFF_STEP_SETGID.rawValue: "setgid", SKIFF_STEP_SETUID.rawValue: "setuid", SKIFF_STEP_UNSHARE.rawValue: "unshare(uts)",
            SKIFF_STEP_SETHOSTNAME.rawValue: "sethostname", SKIFF_STEP_OOM_SCORE.rawValue: "writing oom_score_adj",
            SKIFF_STEP_LOG_OPEN.rawValue: "opening the log", SKIFF_STEP_START_RECORD.rawValue: "writing started.json",
            SKIFF_STEP_MONITOR_ARGS.rawValue: "reading its arguments", SKIFF_STEP_TTY.rawValue: "setting the controlling terminal",
        ]
        return names[UInt32(step)] ?? "step \(step)"
    }

    /// strerror in Go's style ("no such file or directory").
    static func lowercasedError(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}

enum ProcessSpawner {
    /// Starts the process; returns its pid once execve succeeded. Blocks until then.
    static func spawn(_ request: SpawnRequest) throws(SpawnFailure) -> Int32 {
        let argv = CStringArray(request.argv)
        let envp = CStringArray(request.env.map { "\($0.name)=\($0.value)" })
        let cgroups = CStringArray(request.cgroupProcs)
        let searchPath = request.env.last { $0.name == "PATH" }?.value
        let groups = request.user?.groups ?? []
        var failure = skiff_spawn_error()
        let pid: pid_t = groups.withUnsafeBufferPointer { groupBuffer in
            withOptionalCString(searchPath) { pathPointer in
                request.workingDir.withCString { dir in
                    var c = skiff_spawn_request()
                    c.argv = UnsafePointer(argv.pointer)
                    c.envp = UnsafePointer(envp.pointer)
                    c.search_path = pathPointer
                    c.cgroup_procs = cgroups.constPointer
                    c.uts_ns_fd = request.utsNamespaceFD
                    if let adj = request.oomScoreAdj {
                        c.set_oom_score_adj = 1
                        c.oom_score_adj = adj
                    }
                    if let user = request.user {
                        c.set_ids = 1
                        c.uid = user.uid
                        c.gid = user.gid
                        c.groups = groupBuffer.baseAddress
                        c.group_count = groupBuffer.count
                    }
                    c.working_dir = dir
                    c.stdin_fd = request.stdinFD
                    c.stdout_fd = request.stdoutFD
                    c.stderr_fd = request.stderrFD
                    c.controlling_tty = request.controllingTerminal ? 1 : 0
                    return skiff_spawn(&c, &failure)
                }
            }
        }
        guard pid > 0 else {
            throw SpawnFailure(step: failure.step, errno: failure.err, argv0: request.argv.first ?? "", workingDir: request.workingDir)
        }
        return pid
    }

    private static func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let s else { return body(nil) }
        return s.withCString { body($0) }
    }
}

/// A NULL-terminated array of C strings, freed with the value.
final class CStringArray {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        for (i, s) in strings.enumerated() { pointer[i] = strdup(s) }
        pointer[strings.count] = nil
    }

    /// The same array typed as `const char *const *` (NULL when empty, as the C side allows).
    var constPointer: UnsafePointer<UnsafePointer<CChar>?>? {
        count == 0 ? nil : UnsafeRawPointer(pointer).assumingMemoryBound(to: UnsafePointer<CChar>?.self)
    }

    deinit {
        for i in 0..<count { free(pointer[i]) }
        pointer.deallocate()
    }
}
