#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim
import Dispatch
import Synchronization

/// How a process ended.
struct ProcessExit: Sendable, Equatable, Codable {
    /// The exit status when it exited, else nil.
    var status: Int32?
    /// The signal that killed it, else nil.
    var signal: Int32?

    /// As CRI reports it: the status, or 128 + the signal.
    var exitCode: Int32 { status ?? 128 + (signal ?? 0) }
}

/// A child of this process, watched through a pidfd so that signals never reach a recycled
/// pid. Exactly one thread calls `reap` (the watcher); any thread may signal or wait.
///
/// Used for execs and the pods' UTS holders; containers have their monitor process as their
/// parent (`MonitoredContainer`).
final class ChildProcess: Sendable {
    let pid: Int32
    private struct State {
        var pidfd: Int32
        var exit: ProcessExit?
        var reaping = false
    }
    private let state: Mutex<State>
    private let ended = DispatchGroup()

    /// Takes a pidfd on `pid`, which must be this process's unreaped child.
    init(pid: Int32) throws(RuntimeError) {
        let fd = skiff_pidfd_open(pid)
        guard fd >= 0 else { throw RuntimeError(.internal, "pidfd_open(\(pid)): \(SpawnFailure.lowercasedError(errno))") }
        self.pid = pid
        state = Mutex(State(pidfd: fd, exit: nil))
        ended.enter()
    }

    deinit {
        state.withLock { if $0.pidfd >= 0 { close($0.pidfd) } }
    }

    var exit: ProcessExit? { state.withLock { $0.exit } }

    /// Blocks until the process ends, then records how and reaps it. The zombie is kept
    /// (WNOWAIT) until the exit is recorded under the lock, so `signal` and
    /// `killProcessGroup` never race with the pid being reused. A second call waits for the
    /// first one's result.
    @discardableResult
    func reap() -> ProcessExit {
        let (fd, first) = state.withLock { s in
            defer { s.reaping = true }
            return (s.pidfd, !s.reaping)
        }
        guard first else { return wait(timeout: nil) ?? ProcessExit(status: nil, signal: nil) }
        var code: Int32 = -1
        var sig: Int32 = 0
        let observed = skiff_pidfd_wait(fd, 1, &code, &sig) == 0
        let exit = state.withLock { s -> ProcessExit in
            var e = ProcessExit(status: code >= 0 ? code : nil, signal: sig > 0 ? sig : nil)
            if !observed { e = ProcessExit(status: nil, signal: nil) }
            var ignoredCode: Int32 = 0
            var ignoredSignal: Int32 = 0
            _ = skiff_pidfd_wait(s.pidfd, 0, &ignoredCode, &ignoredSignal)
            close(s.pidfd)
            s.pidfd = -1
            s.exit = e
            return e
        }
        ended.leave()
        return exit
    }

    /// Sends `signal` to the process itself; false once it has ended.
    @discardableResult
    func signal(_ signal: Int32) -> Bool {
        state.withLock { s in s.exit == nil && s.pidfd >= 0 && skiff_pidfd_send_signal(s.pidfd, signal) == 0 }
    }

    /// SIGKILL to the process's group (it called setsid, so its pid is the group's id), which
    /// catches the children it left in its group while it is unreaped. Descendants that made
    /// their own session escape this: killing the container's cgroup (`CgroupManager.killAll`)
    /// catches them.
    func killProcessGroup() {
        state.withLock { s in
            guard s.exit == nil else { return }
            kill(-pid, SIGKILL)
            if s.pidfd >= 0 { _ = skiff_pidfd_send_signal(s.pidfd, SIGKILL) }
        }
    }

    /// Blocks until the exit is recorded or `timeout` seconds passed (nil: no limit).
    func wait(timeout: Double?) -> ProcessExit? {
        if let timeout {
            guard ended.wait(timeout: .now() + timeout) == .success else { return nil }
        } else {
            ended.wait()
        }
        return exit
    }
}
