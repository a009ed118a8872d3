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
        // Read and replace the last sample in one step: concurrent requests each get a
        // sample older than their own.
        var previous = lastCPU.withLock { last -> (busy: UInt64, at: UInt64)? in
            defer { last = sample }
            guard let l = last, l.at < sample.at, sample.at - l.at <= 60_000_000_000 else { return nil }
            return l
        }
        if previous == nil {
            previous = sample
            try? await Task.sleep(for: .milliseconds(100))
            sample = Self.busyNanos() ?? sample
        }
        var out: JSON = ["time": .string(time), "usageCoreNanoSeconds": .int64(Int64(clamping: sample.busy))]
        if let p = previous, sample.at > p.at, sample.busy >= p.busy {
            let cores = Double(sample.busy - p.busy) / Double(sample.at - p.at)
            out["usageNanoCores"] = .int64(Int64(clamping: UInt64((cores * 1e9).rounded())))
        }
        return out
    }

    /// CPU time spent busy (all CPUs, since boot) and when it was read, in nanoseconds.
    static func busyNanos() -> (busy: UInt64, at: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let f = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard f.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal: all but idle and iowait.
        let jiffies = f[0] &+ f[1] &+ f[2] &+ f[5] &+ f[6] &+ f[7]
        let tick = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return (jiffies &* (1_000_000_000 / tick), UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    private func memory(time: String) -> JSON {
        let m = HostObserver.meminfo()
        func bytes(_ k: String) -> Int64 { Int64(clamping: (m[k] ?? 0).multipliedReportingOverflow(by: 1024).partialValue) }
        let total = bytes("MemTotal"), free = bytes("MemFree"), available = bytes("MemAvailable")
        // Saturating: /proc can be virtualised (lxcfs) and report odd numbers.
        return ["time": .string(time), "availableBytes": .int64(available), "usageBytes": .int64(max(0, total - free)),
                "workingSetBytes": .int64(max(0, total - available))]
    }

    private func fs(time: String) -> JSON {
        var st = statvfs()
        guard statvfs(rootDir, &st) == 0 else { return ["time": .string(time)] }
        let block = Int64(clamping: UInt64(st.f_frsize))
        let blocks = Int64(clamping: UInt64(st.f_blocks)), bfree = Int64(clamping: UInt64(st.f_bfree))
        let bavail = Int64(clamping: UInt64(st.f_bavail))
        let files = Int64(clamping: UInt64(st.f_files)), ffree = Int64(clamping: UInt64(st.f_ffree))
        return ["time": .string(time), "availableBytes": .int64(bavail &* block), "capacityBytes": .int64(blocks &* block),
                "usedBytes": .int64(max(0, blocks - bfree) &* block),
                "inodesFree": .int64(ffree), "inodes": .int64(files), "inodesUsed": .int64(max(0, files - ffree))]
    }
}
