import Testing
import Wire
@testable import KubeletCore

/// Quantities too large for Int64 (stored before the apiserver refused them) saturate in
/// the kubelet's admission and cgroup math instead of trapping: they never fit, and limits
/// that large are no limit in practice.
@Suite struct HugeQuantityTests {
    typealias T = PodCgroupPlanTests
    static let max: Int64 = 9_223_372_036_854_775_807

    @Test func requestsSaturate() {
        let pod = T.pod([T.container("a", requests: ["cpu": "1e19", "memory": "1e400"]), T.container("b", requests: ["cpu": "1", "memory": "+inf"])])
        #expect(PodResources.requests(pod.spec!) == (Self.max, Self.max))
        let node = NodeAllocatable(["cpu": Quantity("4"), "memory": Quantity("10E")], pods: 10)
        #expect(node == NodeAllocatable(milliCPU: 4000, memory: Self.max, pods: 10))
        let small = T.pod([T.container("s", requests: ["cpu": "1", "memory": "1Gi"])])
        #expect(node.admit(pod.spec!, besides: [])?.message == "Node didn't have enough resource: cpu, requested: 9223372036854775807, used: 0, capacity: 4000")
        #expect(node.admit(small.spec!, besides: [pod.spec!, pod.spec!])?.message == "Node didn't have enough resource: cpu, requested: 1000, used: 9223372036854775807, capacity: 4000")
        #expect(ResourceAmount.milliCPU(Quantity("1e19")) == Self.max)
        #expect(ResourceAmount.bytes(Quantity("-1e400")) == -9_223_372_036_854_775_808)
        #expect(CgroupValues.shares(milliCPU: Self.max) == 262_144)
        #expect(CgroupValues.quota(milliCPU: Self.max) == 9_223_372_036_854_775)
    }

    @Test func evictionRankingWithHugeRequests() {
        let pod = T.pod([T.container("a", requests: ["memory": "5E"]), T.container("b", requests: ["memory": "5E"])])
        #expect(EvictionRanking.memoryRequest(pod) == Self.max)
        let negative = T.pod([T.container("a", requests: ["memory": "-1e400"])])
        #expect(EvictionRanking.memoryRequest(negative) == -9_223_372_036_854_775_808)
        let ranked = EvictionRanking.rankMemoryPressure([
            EvictionCandidate(uid: "huge", memoryRequest: Self.max, priority: 0, memoryUsage: 1 << 20),
            EvictionCandidate(uid: "negative", memoryRequest: -9_223_372_036_854_775_808, priority: 0, memoryUsage: 1 << 20),
            EvictionCandidate(uid: "over", memoryRequest: 1 << 10, priority: 0, memoryUsage: 1 << 20),
        ])
        #expect(ranked.map(\.uid) == ["negative", "over", "huge"])
    }

    @Test func hugeMemoryLimit() {
        let pod = T.pod([T.container("a", requests: ["cpu": "100m"], limits: ["memory": "1e19"])])
        let plan = PodCgroupPlan.forPod(pod, nodeMemoryCapacity: 8 << 30)
        #expect(plan.qosClass == .burstable)
        #expect(plan.containers["a"] == LinuxContainerResources(cpuShares: 102, memoryLimitInBytes: Self.max, oomScoreAdj: 3))
        #expect(plan.podResources == LinuxContainerResources(cpuShares: 102, memoryLimitInBytes: Self.max))
    }

    @Test func hugeCPULimit() {
        let pod = T.pod([T.container("a", requests: ["cpu": "100m"], limits: ["cpu": "100000000000"])])
        let plan = PodCgroupPlan.forPod(pod, nodeMemoryCapacity: 8 << 30)
        #expect(plan.containers["a"] == LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 9_223_372_036_854_775, cpuShares: 102, oomScoreAdj: 999))
        #expect(plan.podResources == LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 9_223_372_036_854_775, cpuShares: 102))
    }

    @Test func memoryLimitsWhoseSumOverflows() {
        let pod = T.pod([T.container("a", requests: ["cpu": "100m"], limits: ["memory": "5E"]),
                         T.container("b", requests: ["cpu": "100m"], limits: ["memory": "5E"])])
        let plan = PodCgroupPlan.forPod(pod, nodeMemoryCapacity: 8 << 30)
        #expect(plan.qosClass == .burstable)
        #expect(plan.containers["b"] == LinuxContainerResources(cpuShares: 102, memoryLimitInBytes: 5_000_000_000_000_000_000, oomScoreAdj: 3))
        #expect(plan.podResources == LinuxContainerResources(cpuShares: 204, memoryLimitInBytes: Self.max))
    }
}
