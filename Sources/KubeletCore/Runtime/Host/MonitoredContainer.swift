#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim
import Dispatch
import Foundation

/// A running container as this kubelet sees it: its monitor process (the container's parent,
/// see `ContainerMonitor`) watched through a pidfd, and the container's pid and start time
/// from started.json. The container has ended once the monitor has: the monitor writes
/// exited.json before it exits. Works the same for a container this kubelet started and for
/// one an earlier kubelet started (re-adoption).
final class MonitoredContainer: Sendable {
    let start: StartRecord
    /// A pidfd on the monitor; -1 when the monitor was already gone at adoption.
    private let monitorFD: Int32
    private let recorded = DispatchGroup()

    /// Opens a pidfd on the monitor named in `start`, and keeps it only when the process is
    /// that monitor (same start time, not a zombie): a pid the kernel gave to a later process
    /// never counts as the monitor.
    init(start: StartRecord) {
        self.start = start
        monitorFD = Self.openVerified(pid: start.monitorPid ?? 0, startTime: start.monitorStartTime ?? 0)
        recorded.enter()
    }

    deinit { if monitorFD >= 0 { close(monitorFD) } }

    /// A pidfd on `pid` if it is alive and started at `startTime`, else -1.
    static func openVerified(pid: Int32, startTime: UInt64) -> Int32 {
        guard pid > 0, startTime > 0 else { return -1 }
        let fd = skiff_pidfd_open(pid)
        guard fd >= 0 else { return -1 }
        // Checked after the open: the pidfd then names the process that was checked.
        if ProcStat.startTime(pid) != startTime || ProcStat.isZombieOrGone(pid) {
            close(fd)
            return -1
        }
        return fd
    }

    /// Starts the watcher thread: it waits for the monitor to end (or `stopFD` to become
    /// readable: the runtime's `shutdown`, after which nothing is recorded), runs `ended` and
    /// only then counts the run as ended.
    func watch(stopFD: Int32, ended: @escaping @Sendable () -> Void) {
        let fd = monitorFD
        Thread.detachNewThread { [self] in
            if fd >= 0 {
                var polls = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0)]
                while true {
                    let n = poll(&polls, 2, -1)
                    if n < 0 && errno == EINTR { continue }
                    if polls[1].revents != 0 { return }
                    if n != 0 { break }
                }
            }
            ended()
            recorded.leave()
        }
    }

    /// Sends `signal` to the container's main process, unless it has ended; a pid reused by
    /// a later process is never signalled. With `group`, its process group too (it called
    /// setsid, so the group's id is its pid).
    @discardableResult
    func signal(_ signal: Int32, group: Bool = false) -> Bool {
        guard !isRecorded else { return false }
        let fd = Self.openVerified(pid: start.pid, startTime: start.startTime)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if group { kill(-start.pid, signal) }
        return skiff_pidfd_send_signal(fd, signal) == 0
    }

    /// True once the exit is recorded; blocks up to `timeout` seconds (nil: no limit).
    @discardableResult
    func waitRecorded(timeout: Double?) -> Bool {
        guard let timeout else {
            recorded.wait()
            return true
        }
        return recorded.wait(timeout: .now() + timeout) == .success
    }

    var isRecorded: Bool { waitRecorded(timeout: 0) }
}
