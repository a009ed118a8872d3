import Foundation
import Testing
import Wire
@testable import KubeletCore

/// QoS classes, the cgroup values Kubernetes derives from requests and limits, and mount
/// detection from mountinfo text.
@Suite struct PodCgroupPlanTests {
    static func container(_ name: String, requests: [String: String] = [:], limits: [String: String] = [:]) -> Container {
        var c = Container(name: name, command: ["sleep", "1"])
        if !requests.isEmpty || !limits.isEmpty {
            // ResourceRequirements has no public initializer: decode it.
            let json = try! JSONEncoder().encode(["limits": limits, "requests": requests])
            c.resources = try! JSONDecoder().decode(ResourceRequirements.self, from: json)
        }
        return c
    }

    static func pod(_ containers: [Container], initContainers: [Container] = []) -> Pod {
        var spec = PodSpec(containers: containers)
        spec.initContainers = initContainers.isEmpty ? nil : initContainers
        var meta = ObjectMeta(name: "p", namespace: "default")
        meta.uid = "1234"
        return Pod(metadata: meta, spec: spec)
    }

    @Test func qosClasses() {
        let both = ["cpu": "500m", "memory": "64Mi"]
        #expect(QOSClass.of(pod: Self.pod([Self.container("a")])) == .bestEffort)
        #expect(QOSClass.of(pod: Self.pod([Self.container("a", requests: both, limits: both)])) == .guaranteed)
        // Limits alone: requests default to them.
        #expect(QOSClass.of(pod: Self.pod([Self.container("a", limits: both)])) == .guaranteed)
        #expect(QOSClass.of(pod: Self.pod([Self.container("a", requests: ["cpu": "0.5", "memory": "64Mi"], limits: both)])) == .guaranteed)
        #expect(QOSClass.of(pod: Self.pod([Self.container("a", requests: ["cpu": "250m"], limits: both)])) == .burstable)
        #expect(QOSClass.of(pod: Self.pod([Self.container("a", limits: ["cpu": "1"])])) == .burstable)
        #expect(QOSClass.of(pod: Self.pod([Self.container("a", requests: ["memory": "1Gi"])])) == .burstable)
        // One container without limits makes the pod Burstable.
        #expect(QOSClass.of(pod: Self.pod([Self.container("a", limits: both), Self.container("b")])) == .burstable)
        // Init containers count.
        #expect(QOSClass.of(pod: Self.pod([Self.container("a", limits: both)], initContainers: [Self.container("i")])) == .burstable)
        // Zero and other resources are ignored.
        #expect(QOSClass.of(pod: Self.pod([Self.container("a", requests: ["cpu": "0", "ephemeral-storage": "1Gi"])])) == .bestEffort)
    }

    @Test func cgroupValuesAsKubernetes() {
        #expect(CgroupValues.shares(milliCPU: 0) == 2)
        #expect(CgroupValues.shares(milliCPU: 1) == 2)
        #expect(CgroupValues.shares(milliCPU: 250) == 256)
        #expect(CgroupValues.shares(milliCPU: 1000) == 1024)
        #expect(CgroupValues.shares(milliCPU: 1_000_000) == 262_144)
        #expect(CgroupValues.quota(milliCPU: 0) == nil)
        #expect(CgroupValues.quota(milliCPU: 5) == 1000)
        #expect(CgroupValues.quota(milliCPU: 500) == 50_000)
        #expect(CgroupValues.quota(milliCPU: 2500) == 250_000)
        #expect(CgroupValues.weight(shares: 2) == 1)
        #expect(CgroupValues.weight(shares: 1024) == 39)
        #expect(CgroupValues.weight(shares: 262_144) == 10_000)
        #expect(ResourceAmount.milliCPU(Quantity("0.1")) == 100)
        #expect(ResourceAmount.milliCPU(Quantity("1.0005")) == 1001)
        #expect(ResourceAmount.bytes(Quantity("64Mi")) == 67_108_864)
        #expect(ResourceAmount.bytes(Quantity("1.5G")) == 1_500_000_000)
    }

    @Test func guaranteedPlan() {
        let pod = Self.pod([Self.container("a", limits: ["cpu": "500m", "memory": "64Mi"]),
                            Self.container("b", limits: ["cpu": "1", "memory": "32Mi"])])
        let plan = PodCgroupPlan.forPod(pod, nodeMemoryCapacity: 8 << 30)
        #expect(plan.qosClass == .guaranteed)
        #expect(plan.cgroupParent == "pod1234")
        #expect(plan.podResources == LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 150_000, cpuShares: 1536, memoryLimitInBytes: 100_663_296))
        #expect(plan.containers["a"] == LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 512,
                                                                 memoryLimitInBytes: 67_108_864, oomScoreAdj: -997))
        #expect(plan.containers["b"] == LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 100_000, cpuShares: 1024,
                                                                 memoryLimitInBytes: 33_554_432, oomScoreAdj: -997))
    }

    @Test func burstablePlanLimitsThePodOnlyWhereAllContainersDo() {
        // 1 GiB of 4 GiB requested: 1000 - 250 = 750.
        let pod = Self.pod([Self.container("a", requests: ["cpu": "250m", "memory": "1Gi"], limits: ["cpu": "1"]),
                            Self.container("b", requests: ["memory": "10Mi"], limits: ["cpu": "500m", "memory": "20Mi"])])
        let plan = PodCgroupPlan.forPod(pod, nodeMemoryCapacity: 4 << 30)
        #expect(plan.qosClass == .burstable)
        // Shares from 250m + 500m; no memory limit (a has none).
        #expect(plan.podResources == LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 150_000, cpuShares: 768))
        #expect(plan.containers["a"] == LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 100_000, cpuShares: 256, oomScoreAdj: 750))
        // b requests its cpu limit (500m); 10Mi of 4Gi rounds to 998.
        #expect(plan.containers["b"] == LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 512,
                                                                 memoryLimitInBytes: 20_971_520, oomScoreAdj: 998))
    }

    @Test func bestEffortPlan() {
        let plan = PodCgroupPlan.forPod(Self.pod([Self.container("a")], initContainers: [Self.container("i")]), nodeMemoryCapacity: 1 << 30)
        #expect(plan.qosClass == .bestEffort)
        #expect(plan.podResources == LinuxContainerResources(cpuShares: 2))
        #expect(plan.containers["a"] == LinuxContainerResources(cpuShares: 2, oomScoreAdj: 1000))
        #expect(plan.containers["i"] == LinuxContainerResources(cpuShares: 2, oomScoreAdj: 1000))
    }

    @Test func burstableScoresStayBetween3And999() {
        let small = Self.pod([Self.container("a", requests: ["memory": "1"])])
        #expect(PodCgroupPlan.oomScoreAdj(pod: small, container: small.spec!.containers![0], qos: .burstable, memoryCapacity: 1 << 30) == 999)
        let huge = Self.pod([Self.container("a", requests: ["memory": "2Gi"])])
        #expect(PodCgroupPlan.oomScoreAdj(pod: huge, container: huge.spec!.containers![0], qos: .burstable, memoryCapacity: 1 << 30) == 3)
        var critical = Self.pod([Self.container("a")])
        critical.spec?.priorityClassName = "system-node-critical"
        #expect(PodCgroupPlan.oomScoreAdj(pod: critical, container: critical.spec!.containers![0], qos: .bestEffort, memoryCapacity: 1 << 30) == -997)
    }

    @Test func initContainersAndOverheadInThePodTotals() {
        var pod = Self.pod([Self.container("a", limits: ["cpu": "1", "memory": "100Mi"])],
                           initContainers: [Self.container("i", limits: ["cpu": "2", "memory": "50Mi"])])
        pod.spec?.overhead = ["cpu": Quantity("100m"), "memory": Quantity("10Mi")]
        let plan = PodCgroupPlan.forPod(pod, nodeMemoryCapacity: 8 << 30)
        // cpu: max(1, 2) + 0.1; memory: max(100Mi, 50Mi) + 10Mi.
        #expect(plan.podResources == LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 210_000, cpuShares: 2150, memoryLimitInBytes: 115_343_360))
    }

    @Test func mountinfoDetection() {
        let v2 = """
        25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw
        31 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        """
        #expect(CgroupLayout.detect(mountinfo: v2) == CgroupLayout(mode: .v2, v1: [], unified: "/sys/fs/cgroup"))
        let v1 = """
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        33 31 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        34 31 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        41 31 0:31 / /mnt/memory\\040again rw,relatime - cgroup cgroup rw,memory
        """
        #expect(CgroupLayout.detect(mountinfo: v1) == CgroupLayout(mode: .v1, v1: [
            CgroupHierarchy(mountPoint: "/sys/fs/cgroup/cpu,cpuacct", controllers: ["cpu", "cpuacct"], isUnified: false),
            CgroupHierarchy(mountPoint: "/sys/fs/cgroup/memory", controllers: ["memory"], isUnified: false),
        ], unified: nil))
        #expect(CgroupLayout.detect(mountinfo: v1 + "\n42 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw").mode == .hybrid)
        #expect(CgroupLayout.detect(mountinfo: "25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw").mode == nil)
        #expect(CgroupLayout.unescape("/mnt/a\\040b") == "/mnt/a b")
    }
}
