/// A cgroup's limits (CRI's `LinuxContainerResources`, the parts Skiff uses). nil is "not
/// set" (CRI's 0): the cgroup keeps the kernel's default, i.e. no limit.
public struct LinuxContainerResources: Sendable, Equatable, Codable {
    /// CFS period in microseconds (kubelet: 100000); used with `cpuQuota`.
    public var cpuPeriod: Int64?
    /// CFS quota in microseconds per period: the cpu limit (v1 cpu.cfs_quota_us, v2 cpu.max).
    public var cpuQuota: Int64?
    /// Relative cpu weight in v1 shares (2 ... 262144): the cpu request. On v2 it becomes
    /// cpu.weight by Kubernetes' formula (`CgroupValues.weight(shares:)`).
    public var cpuShares: Int64?
    /// The memory limit in bytes (v1 memory.limit_in_bytes, v2 memory.max).
    public var memoryLimitInBytes: Int64?
    /// Written for each process of the container (main, exec) before exec.
    public var oomScoreAdj: Int64?
    /// pids.max; -1 is unlimited.
    public var pidsLimit: Int64?

    public init(cpuPeriod: Int64? = nil, cpuQuota: Int64? = nil, cpuShares: Int64? = nil, memoryLimitInBytes: Int64? = nil,
                oomScoreAdj: Int64? = nil, pidsLimit: Int64? = nil) {
        self.cpuPeriod = cpuPeriod
        self.cpuQuota = cpuQuota
        self.cpuShares = cpuShares
        self.memoryLimitInBytes = memoryLimitInBytes
        self.oomScoreAdj = oomScoreAdj
        self.pidsLimit = pidsLimit
    }
}
