#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim

/// A sandbox an earlier kubelet made: its UTS holder is not this process's child (the
/// monitor re-adopts containers; this re-adopts the holder), so it is found by pid and
/// process start time (a reused pid has another start time; a zombie counts as gone).
extension HostRuntime {
    /// True while `pid` runs with the recorded start time and is not a zombie.
    static func isAlive(pid: Int32, startTime: UInt64) -> Bool {
        guard pid > 0, startTime != 0, ProcStat.startTime(pid) == startTime else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
    }

    /// The UTS namespace of a sandbox an earlier kubelet made, opened from its holder (still
    /// running with its recorded start time); the caller closes the descriptor.
    func adoptedUTSDescriptor(_ sandboxID: String) -> Int32? {
        guard let holder = disk.read(HolderRecord.self, from: "\(disk.sandboxDir(sandboxID))/holder.json"),
              Self.isAlive(pid: holder.pid, startTime: holder.startTime) else { return nil }
        let fd = open("/proc/\(holder.pid)/ns/uts", O_RDONLY | O_CLOEXEC)
        guard fd >= 0, Self.isAlive(pid: holder.pid, startTime: holder.startTime) else {
            if fd >= 0 { close(fd) }
            return nil
        }
        return fd
    }

    /// Kills the namespace holder an earlier kubelet started for this sandbox.
    func killAdoptedHolder(_ sandboxID: String) {
        guard let holder = disk.read(HolderRecord.self, from: "\(disk.sandboxDir(sandboxID))/holder.json"),
              Self.isAlive(pid: holder.pid, startTime: holder.startTime) else { return }
        let fd = skiff_pidfd_open(holder.pid)
        if fd >= 0 {
            _ = skiff_pidfd_send_signal(fd, SIGKILL)
            close(fd)
        }
    }
}
