#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim

/// What an earlier kubelet started and left running: this process is not its parent, so it
/// is found by pid and process start time (a reused pid has another start time), signalled
/// through a pidfd, and watched by polling /proc until it is gone (a zombie that a late
/// reaper has not collected counts as gone). The per-container monitor process will replace
/// this with real exit codes.
extension HostRuntime {
    /// True while `pid` runs with the recorded start time and is not a zombie.
    static func isAlive(pid: Int32, startTime: UInt64) -> Bool {
        guard pid > 0, startTime != 0, ProcStat.startTime(pid) == startTime else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
    }

    /// Ends an earlier kubelet's container: SIGTERM, up to `timeout` seconds, then SIGKILL to
    /// its process group and its cgroup; records the exit (128 + the last signal sent).
    func stopUnadopted(_ containerID: String, _ live: LiveContainer, timeout: Double) async throws {
        let dir = disk.containerDir(live.sandboxID, containerID)
        guard disk.read(ExitRecord.self, from: "\(dir)/exited.json") == nil,
              let start = disk.read(StartRecord.self, from: "\(dir)/started.json") else { return }
        let disk = self.disk
        table.withLock { _ = $0.stoppingUnadopted.insert(containerID) }
        defer { table.withLock { _ = $0.stoppingUnadopted.remove(containerID) } }
        try await BlockingCall.run { () throws(RuntimeError) in
            var signal: Int32 = 0
            if Self.isAlive(pid: start.pid, startTime: start.startTime) {
                let fd = skiff_pidfd_open(start.pid)
                defer { if fd >= 0 { close(fd) } }
                if timeout > 0, fd >= 0, Self.isAlive(pid: start.pid, startTime: start.startTime) {
                    _ = skiff_pidfd_send_signal(fd, SIGTERM)
                    signal = SIGTERM
                    Self.waitGone(start, seconds: timeout)
                }
                if Self.isAlive(pid: start.pid, startTime: start.startTime) {
                    kill(-start.pid, SIGKILL)
                    if fd >= 0 { _ = skiff_pidfd_send_signal(fd, SIGKILL) }
                    self.killContainerCgroup(live.sandboxID, containerID)
                    signal = SIGKILL
                    Self.waitGone(start, seconds: nil)
                }
            }
            let exit = signal == 0 ? Self.lostExit() : ExitRecord(exitCode: 128 + signal, signal: signal, finishedAt: Self.now(), reason: "Error", message: "")
            try disk.write(exit, to: "\(dir)/exited.json")
        }
    }

    /// The record of a container that ended while no kubelet watched it.
    static func lostExit() -> ExitRecord {
        ExitRecord(exitCode: 255, signal: nil, finishedAt: now(), reason: "Unknown",
                   message: "the container ended while no kubelet was watching it; its exit code was not recorded")
    }

    private static func waitGone(_ start: StartRecord, seconds: Double?) {
        var waited = 0.0
        while isAlive(pid: start.pid, startTime: start.startTime) {
            if let seconds, waited >= seconds { return }
            usleep(20_000)
            waited += 0.02
        }
    }

    /// Records the lost exit of an earlier kubelet's container that is no longer running.
    func recordLostExitIfGone(_ containerID: String, _ live: LiveContainer) {
        let dir = disk.containerDir(live.sandboxID, containerID)
        guard live.run == nil, !table.withLock({ $0.stoppingUnadopted.contains(containerID) }),
              disk.read(ExitRecord.self, from: "\(dir)/exited.json") == nil,
              let start = disk.read(StartRecord.self, from: "\(dir)/started.json"),
              !Self.isAlive(pid: start.pid, startTime: start.startTime) else { return }
        try? disk.write(Self.lostExit(), to: "\(dir)/exited.json")
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
