#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Killing what runs in a cgroup and removing cgroups.
extension CgroupManager {
    /// SIGKILLs every process in `path`'s cgroups, descendants that made their own session
    /// included: the unified tree's `cgroup.kill` where present (v2, hybrid), else the v1
    /// freezer (frozen processes cannot fork while they are listed and killed), then kills
    /// what is still listed until nothing alive is left or `timeout` seconds pass. True
    /// when nothing is left.
    @discardableResult
    public func killAll(_ path: String, timeout: Double = 5) -> Bool {
        guard !hierarchies.isEmpty else { return true }
        if let unified = hierarchies.first(where: \.isUnified).map({ directory($0, path) }),
           CgroupFile.exists("\(unified)/cgroup.kill"), (try? CgroupFile.write("\(unified)/cgroup.kill", "1")) != nil {
            // Done by the kernel; the loop below only waits for the exits.
        } else if let freezer = directory(path, controller: "freezer"), CgroupFile.exists(freezer) {
            killFrozen(freezer)
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let pids = livePIDs(path)
            if pids.isEmpty { return true }
            if Date() > deadline { return false }
            for pid in pids { kill(pid, SIGKILL) }
            usleep(10_000)
        }
    }

    private func killFrozen(_ freezer: String) {
        guard (try? CgroupFile.write("\(freezer)/freezer.state", "FROZEN")) != nil else { return }
        let deadline = Date().addingTimeInterval(1)
        while CgroupFile.read("\(freezer)/freezer.state")?.hasPrefix("FROZEN") != true && Date() < deadline { usleep(1000) }
        for pid in CgroupFile.pids("\(freezer)/cgroup.procs") { kill(pid, SIGKILL) }
        try? CgroupFile.write("\(freezer)/freezer.state", "THAWED")
    }

    /// Removes `path`'s cgroups (rmdir in each hierarchy; a cgroup still holding processes or
    /// children is busy, which is retried for up to `timeout` seconds). Failures are recorded
    /// in `problem`. Missing directories are fine.
    public func remove(_ path: String, timeout: Double = 2) {
        guard !hierarchies.isEmpty, Self.pathProblem(path) == nil else { return }
        for dir in directories(path) {
            let deadline = Date().addingTimeInterval(timeout)
            while rmdir(dir) != 0 {
                if errno == ENOENT { break }
                if errno != EBUSY || Date() > deadline {
                    record("rmdir \(dir): \(CgroupFile.errnoText())")
                    break
                }
                usleep(10_000)
            }
        }
    }

    /// Removes the root's directories where they are empty, deepest first (`skiff/<node>`,
    /// then `skiff`): for a kubelet that leaves, and for tests.
    public func removeRootIfEmpty() {
        let parts = root.split(separator: "/")
        for h in hierarchies {
            for n in stride(from: parts.count, to: 0, by: -1) {
                guard rmdir("\(h.mountPoint)/\(parts[0..<n].joined(separator: "/"))") == 0 else { break }
            }
        }
    }
}

extension ProcStat {
    /// True when /proc/<pid> is gone or the process is a zombie (state `Z`).
    static func isZombieOrGone(_ pid: Int32) -> Bool {
        guard let stat = CgroupFile.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")"),
              let state = stat[stat.index(after: close)...].split(separator: " ").first else { return true }
        return state == "Z" || state == "X"
    }
}
