#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim

/// A pod's UTS namespace, held for the pod's life by a small holder process (the role of
/// Kubernetes' pause container) and joined by the pod's containers and execs through `fd`.
///
/// The holder execs `skiff-pause` (a few hundred KB) once the namespace is set up; without
/// that program it stays a forked copy of the kubelet, which pins the kubelet's pages as they
/// change (see skiff_process.h). It survives the kubelet, as a pod does; its pid and start
/// time are in the sandbox's `holder.json`, so that a restarted kubelet re-adopts it
/// (`init(adopting:)`).
final class PodUTSNamespace: Sendable {
    /// The holder when this process started it (its parent), else nil.
    let holder: ChildProcess?
    /// A pidfd on an adopted holder (-1 when this process started it).
    let adoptedFD: Int32
    /// The holder's pid.
    let pid: Int32
    /// /proc/<holder>/ns/uts, open for as long as this value lives.
    let fd: Int32

    /// Starts the holder with `hostname` set, running `holderExecutable` when given. Needs
    /// CAP_SYS_ADMIN.
    init(hostname: String, holderExecutable: String?) throws(RuntimeError) {
        var failure = skiff_spawn_error()
        let bytes = Array(hostname.utf8)
        let pid = bytes.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { name in
                guard let holderExecutable else { return skiff_spawn_uts_holder(name.baseAddress, name.count, nil, &failure) }
                return holderExecutable.withCString { skiff_spawn_uts_holder(name.baseAddress, name.count, $0, &failure) }
            }
        }
        guard pid > 0 else {
            throw RuntimeError(.internal, "pod UTS namespace: \(SpawnFailure.stepName(failure.step)) failed: \(SpawnFailure.lowercasedError(failure.err))")
        }
        let process: ChildProcess
        do {
            process = try ChildProcess(pid: pid)
        } catch {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            throw error
        }
        let nsFD = open("/proc/\(pid)/ns/uts", O_RDONLY | O_CLOEXEC)
        guard nsFD >= 0 else {
            let e = errno
            process.signal(SIGKILL)
            process.reap()
            throw RuntimeError(.internal, "open /proc/\(pid)/ns/uts: \(SpawnFailure.lowercasedError(e))")
        }
        holder = process
        self.pid = pid
        adoptedFD = -1
        fd = nsFD
    }

    /// The holder an earlier kubelet started, when it still runs (same pid and start time,
    /// not a zombie); nil otherwise.
    init?(adopting record: HolderRecord) {
        let pidfd = MonitoredContainer.openVerified(pid: record.pid, startTime: record.startTime)
        guard pidfd >= 0 else { return nil }
        let nsFD = open("/proc/\(record.pid)/ns/uts", O_RDONLY | O_CLOEXEC)
        // Checked again after the open: the namespace is the holder's, not a later process's.
        guard nsFD >= 0, ProcStat.startTime(record.pid) == record.startTime, !ProcStat.isZombieOrGone(record.pid) else {
            if nsFD >= 0 { close(nsFD) }
            close(pidfd)
            return nil
        }
        holder = nil
        pid = record.pid
        adoptedFD = pidfd
        fd = nsFD
    }

    /// Kills the holder and waits for its end (reaping it when it is this process's child).
    /// The namespace ends once no container is left in it.
    func release() {
        if let holder {
            holder.signal(SIGKILL)
            holder.reap()
            return
        }
        _ = skiff_pidfd_send_signal(adoptedFD, SIGKILL)
        var p = pollfd(fd: adoptedFD, events: Int16(POLLIN), revents: 0)
        while poll(&p, 1, 5000) < 0 && errno == EINTR {}
    }

    deinit {
        close(fd)
        if adoptedFD >= 0 { close(adoptedFD) }
    }
}
