/// Writes a cgroup's limits in the files of its hierarchy's version.
enum CgroupLimits {
    static func write(_ r: LinuxContainerResources, to dir: String, hierarchy h: CgroupHierarchy) throws(CgroupError) {
        let c = h.controllers
        if h.isUnified {
            if c.contains("cpu") {
                if let shares = r.cpuShares { try CgroupFile.write("\(dir)/cpu.weight", "\(CgroupValues.weight(shares: shares))") }
                if let quota = r.cpuQuota {
                    let period = r.cpuPeriod ?? CgroupValues.defaultCPUPeriod
                    try CgroupFile.write("\(dir)/cpu.max", quota > 0 ? "\(quota) \(period)" : "max \(period)")
                }
            }
            if c.contains("memory") {
                if let bytes = r.memoryLimitInBytes { try CgroupFile.write("\(dir)/memory.max", bytes > 0 ? "\(bytes)" : "max") }
                // No swap for containers (the kubelet's NoSwap): a limit ends in an OOM kill.
                if CgroupFile.exists("\(dir)/memory.swap.max") { try CgroupFile.write("\(dir)/memory.swap.max", "0") }
            }
            if c.contains("pids"), let pids = r.pidsLimit { try CgroupFile.write("\(dir)/pids.max", pids > 0 ? "\(pids)" : "max") }
            return
        }
        if c.contains("cpu") {
            if let shares = r.cpuShares { try CgroupFile.write("\(dir)/cpu.shares", "\(shares)") }
            if let quota = r.cpuQuota {
                try CgroupFile.write("\(dir)/cpu.cfs_period_us", "\(r.cpuPeriod ?? CgroupValues.defaultCPUPeriod)")
                try CgroupFile.write("\(dir)/cpu.cfs_quota_us", quota > 0 ? "\(quota)" : "-1")
            }
        }
        if c.contains("memory"), let bytes = r.memoryLimitInBytes {
            try CgroupFile.write("\(dir)/memory.limit_in_bytes", bytes > 0 ? "\(bytes)" : "-1")
        }
        if c.contains("pids"), let pids = r.pidsLimit { try CgroupFile.write("\(dir)/pids.max", pids > 0 ? "\(pids)" : "max") }
    }
}
