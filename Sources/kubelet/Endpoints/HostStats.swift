import Foundation
import Synchronization

/// The node part of the kubelet's `stats/summary` (Kubernetes' Summary API), read from
/// /proc and the root dir's file system. CPU usage in nanocores is the rate between two
/// samples of /proc/stat: the previous request's, or one taken 100 ms earlier.
///
/// Thread-safety: any task.
final class HostStats: Sendable {
    let rootDir: String
    private let lastCPU = Mutex<(busy: UInt64, at: UInt64)?>(nil)

    init(rootDir: String) { self.rootDir = rootDir }

    func summary(nodeName: String, startTime: String) async -> JSON {
        let now = Timestamp.now()
        var node: JSON = ["nodeName": .string(nodeName), "startTime": .string(startTime)]
        node["cpu"] = await cpu(time: now)
        node["memory"] = memory(time: now)
        node["fs"] = fs(time: now)
        // Skiff's kubelet runs no pods yet: the list is truthfully empty.
        return ["node": node, "pods": []]
    }

    private func cpu(time: String) async -> JSON {
        guard var sample = Self.busyNanos() else { return ["time": .string(time)] }
        var previous = lastCPU.withLock { $0 }
        if previous == nil || sample.at - previous!.at > 60_000_000_000 {
            previous = sample
            try? await Task.sleep(for: .milliseconds(100))
            sample = Self.busyNanos() ?? sample
        }
        lastCPU.withLock { $0 = sample }
        let elapsed = Double(sample.at - previous!.at)
        let used = Double(sample.busy &- previous!.busy)
        var out: JSON = ["time": .string(time), "usageCoreNanoSeconds": .int64(Int64(sample.busy))]
        if elapsed > 0 { out["usageNanoCores"] = .int64(Int64(used / elapsed * 1e9)) }
        return out
    }

    /// CPU time spent busy (all CPUs, since boot) and when it was read, in nanoseconds.
    static func busyNanos() -> (busy: UInt64, at: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let f = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard f.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal: all but idle and iowait.
        let jiffies = f[0] + f[1] + f[2] + f[5] + f[6] + f[7]
        let tick = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return (jiffies * (1_000_000_000 / tick), UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    private func memory(time: String) -> JSON {
        let m = HostObserver.meminfo()
        let total = (m["MemTotal"] ?? 0) * 1024, free = (m["MemFree"] ?? 0) * 1024
        let available = (m["MemAvailable"] ?? 0) * 1024
        return ["time": .string(time), "availableBytes": .int64(Int64(available)), "usageBytes": .int64(Int64(total - free)),
                "workingSetBytes": .int64(Int64(total - available))]
    }

    private func fs(time: String) -> JSON {
        var st = statvfs()
        guard statvfs(rootDir, &st) == 0 else { return ["time": .string(time)] }
        let block = UInt64(st.f_frsize)
        return ["time": .string(time), "availableBytes": .int64(Int64(UInt64(st.f_bavail) * block)),
                "capacityBytes": .int64(Int64(UInt64(st.f_blocks) * block)),
                "usedBytes": .int64(Int64(UInt64(st.f_blocks - st.f_bfree) * block)),
                "inodesFree": .int64(Int64(st.f_ffree)), "inodes": .int64(Int64(st.f_files)),
                "inodesUsed": .int64(Int64(st.f_files - st.f_ffree))]
    }
}
