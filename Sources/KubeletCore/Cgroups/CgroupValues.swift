/// Kubernetes' conversions from requests and limits to cgroup values (pkg/kubelet/cm).
public enum CgroupValues {
    /// The CFS period the kubelet uses (100 ms).
    public static let defaultCPUPeriod: Int64 = 100_000
    public static let minShares: Int64 = 2
    public static let maxShares: Int64 = 262_144
    /// The smallest quota the kernel accepts (1 ms).
    public static let minQuota: Int64 = 1000

    /// cpu.shares for a cpu request in millicores: milli * 1024 / 1000, within [2, 262144].
    public static func shares(milliCPU: Int64) -> Int64 {
        guard milliCPU > 0 else { return minShares }
        return min(maxShares, max(minShares, milliCPU.saturatingMultiply(1024) / 1000))
    }

    /// The CFS quota for a cpu limit in millicores: milli * period / 1000, at least 1 ms;
    /// nil (no quota) for no limit. A limit so large the product overflows saturates (a quota
    /// of Int64.max / 1000 µs is no limit in practice).
    public static func quota(milliCPU: Int64, period: Int64 = defaultCPUPeriod) -> Int64? {
        guard milliCPU > 0 else { return nil }
        return max(minQuota, milliCPU.saturatingMultiply(period) / 1000)
    }

    /// v2 cpu.weight (1 ... 10000) for v1 shares (2 ... 262144), the formula runc and the
    /// kubelet share: 1 + (shares - 2) * 9999 / 262142.
    public static func weight(shares: Int64) -> Int64 {
        let s = min(maxShares, max(minShares, shares))
        return 1 + (s - 2) * 9999 / 262_142
    }
}
