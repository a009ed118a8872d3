import Wire

/// What a pod's cgroups get, as Kubernetes' kubelet computes it: the pod worker makes the
/// sandbox with `cgroupParent` and `podResources` and each container with
/// `containers[name]`, in one call:
///
///     let plan = PodCgroupPlan.forPod(pod, nodeMemoryCapacity: capacityBytes)
///     sandboxConfig.cgroupParent = plan.cgroupParent
///     sandboxConfig.resources = plan.podResources
///     containerConfig.resources = plan.containers[container.name]
///
/// Containers (init containers too): cpu.shares from the cpu request (2 without one), a CFS
/// quota from the cpu limit (period 100 ms), the memory limit, and oom_score_adj by QoS class
/// (`oomScoreAdj`). The pod: the sums of its containers' (the larger of that and each init
/// container's, plus `spec.overhead`): shares from the requests; the cpu quota and memory
/// limit only when every container has that limit (Guaranteed always does); BestEffort pods
/// get shares 2 and no limits. The pids limit is the runtime's (`--pod-pids-limit`).
public struct PodCgroupPlan: Sendable, Equatable {
    public var qosClass: QOSClass
    /// `pod<uid>`, relative to the runtime's cgroup root.
    public var cgroupParent: String
    public var podResources: LinuxContainerResources
    /// By container name, init containers included.
    public var containers: [String: LinuxContainerResources]

    public static func forPod(_ pod: Pod, nodeMemoryCapacity: Int64) -> PodCgroupPlan {
        let qos = QOSClass.of(pod: pod)
        let regular = pod.spec?.containers ?? []
        let initial = pod.spec?.initContainers ?? []
        var containers: [String: LinuxContainerResources] = [:]
        for c in initial + regular {
            let a = ContainerAmounts(c)
            let quota = a.limits["cpu"].flatMap { CgroupValues.quota(milliCPU: $0) }
            containers[c.name] = LinuxContainerResources(
                cpuPeriod: quota == nil ? nil : CgroupValues.defaultCPUPeriod, cpuQuota: quota,
                cpuShares: CgroupValues.shares(milliCPU: a.requests["cpu"] ?? 0),
                memoryLimitInBytes: a.limits["memory"],
                oomScoreAdj: Int64(oomScoreAdj(pod: pod, container: c, qos: qos, memoryCapacity: nodeMemoryCapacity)))
        }
        return PodCgroupPlan(qosClass: qos, cgroupParent: "pod\(pod.metadata.uid ?? "")",
                             podResources: podResources(pod, qos: qos), containers: containers)
    }

    static func podResources(_ pod: Pod, qos: QOSClass) -> LinuxContainerResources {
        guard qos != .bestEffort else { return LinuxContainerResources(cpuShares: CgroupValues.minShares) }
        let requests = podTotal(pod, overheadAlways: true) { $0.requests }
        let limits = podTotal(pod, overheadAlways: false) { $0.limits }
        let regular = (pod.spec?.containers ?? []).map(ContainerAmounts.init)
        let cpuLimited = qos == .guaranteed || regular.allSatisfy { $0.limits["cpu"] != nil }
        let memoryLimited = qos == .guaranteed || regular.allSatisfy { $0.limits["memory"] != nil }
        var r = LinuxContainerResources(cpuShares: CgroupValues.shares(milliCPU: requests["cpu"] ?? 0))
        if cpuLimited, let quota = CgroupValues.quota(milliCPU: limits["cpu"] ?? 0) {
            r.cpuQuota = quota
            r.cpuPeriod = CgroupValues.defaultCPUPeriod
        }
        if memoryLimited, let bytes = limits["memory"] { r.memoryLimitInBytes = bytes }
        return r
    }

    /// Kubernetes' pod total of requests or limits: regular containers and sidecars (init
    /// containers with restartPolicy Always) add up; an ordinary init container runs alone
    /// beside the sidecars started before it; the larger wins; `spec.overhead` is added (to
    /// limits only where the containers have that limit).
    static func podTotal(_ pod: Pod, overheadAlways: Bool, _ pick: (ContainerAmounts) -> [String: Int64]) -> [String: Int64] {
        var total: [String: Int64] = [:]
        // Sums saturate: huge limits (stored before the apiserver refused them) must not trap.
        let add: (Int64, Int64) -> Int64 = { $0.saturatingAdd($1) }
        for c in pod.spec?.containers ?? [] { total.merge(pick(ContainerAmounts(c)), uniquingKeysWith: add) }
        var sidecars: [String: Int64] = [:]
        var initPeak: [String: Int64] = [:]
        for c in pod.spec?.initContainers ?? [] {
            let own = pick(ContainerAmounts(c))
            if c.restartPolicy == "Always" {
                sidecars.merge(own, uniquingKeysWith: add)
                initPeak.merge(sidecars, uniquingKeysWith: max)
            } else {
                initPeak.merge(own.merging(sidecars, uniquingKeysWith: add), uniquingKeysWith: max)
            }
        }
        total.merge(sidecars, uniquingKeysWith: add)
        total.merge(initPeak, uniquingKeysWith: max)
        for (name, q) in pod.spec?.overhead ?? [:] where overheadAlways || total[name] != nil {
            let amount = name == "cpu" ? ResourceAmount.milliCPU(q) : ResourceAmount.bytes(q)
            total[name] = total[name, default: 0].saturatingAdd(amount ?? 0)
        }
        return total
    }

    /// The kubelet's oom_score_adj: -997 for Guaranteed pods and node-critical ones, 1000 for
    /// BestEffort; Burstable: 1000 - 1000 * memory request / node memory, within [3, 999]
    /// (3 is 1000 + Guaranteed's -997, so a Burstable container always scores above a
    /// Guaranteed one); a sidecar scores no higher than the pod's regular container with the
    /// smallest memory request.
    public static func oomScoreAdj(pod: Pod, container: Container, qos: QOSClass, memoryCapacity: Int64) -> Int {
        if pod.spec?.priorityClassName == "system-node-critical" { return -997 }
        switch qos {
        case .guaranteed: return -997
        case .bestEffort: return 1000
        case .burstable: break
        }
        guard memoryCapacity > 0 else { return 999 }
        func score(_ request: Int64) -> Int64 {
            // 1000 * request overflows past ~9 PB of request: then in doubles (saturating).
            let (scaled, overflow) = request.multipliedReportingOverflow(by: 1000)
            return 1000 - (overflow ? Int64(saturating: Double(request) * 1000 / Double(memoryCapacity)) : scaled / memoryCapacity)
        }
        var adj = score(ContainerAmounts(container).requests["memory"] ?? 0)
        let isSidecar = container.restartPolicy == "Always" && (pod.spec?.initContainers ?? []).contains { $0.name == container.name }
        if isSidecar {
            let smallest = (pod.spec?.containers ?? []).map { ContainerAmounts($0).requests["memory"] ?? 0 }.min() ?? 0
            adj = min(adj, score(smallest))
        }
        return Int(min(999, max(3, adj)))
    }
}
