#if canImport(Glibc)
import Glibc
#endif

/// The `host` handler's use of cgroups (see `CgroupManager`): a pod cgroup per sandbox, a
/// cgroup per container below it, joined by the container's processes and execs.
extension HostRuntime {
    /// Why limits are missing or cgroups were not cleaned up, for node status and events;
    /// nil when all is well (or cgroups are off: `HostRuntimeConfig.cgroupRoot` nil).
    public var cgroupProblem: String? { cgroups?.problem }

    /// Removes the cgroup root (`skiff/<node>`, then `skiff`) where it holds nothing: for a
    /// kubelet that stops with no pods left, so hosts and test runs keep no empty cgroups.
    public func removeCgroupRootIfEmpty() {
        cgroups?.removeRootIfEmpty()
    }

    /// The container's cgroup path below the cgroup root: `<pod cgroup>/<container id>`.
    func containerCgroup(_ sandboxID: String, _ containerID: String) -> String? {
        table.withLock { $0.sandboxes[sandboxID]?.config.podCgroup }.map { "\($0)/\(containerID)" }
    }

    /// Makes the pod's cgroup with the sandbox's limits and the runtime's pids limit.
    func createPodCgroup(_ sandbox: PodSandboxConfig) {
        guard let cgroups else { return }
        var resources = sandbox.resources ?? LinuxContainerResources()
        if resources.pidsLimit == nil && config.podPidsLimit > 0 { resources.pidsLimit = config.podPidsLimit }
        cgroups.create(sandbox.podCgroup, resources: resources, parent: true)
    }

    /// Kills what is left in the container's cgroup (descendants in their own sessions too).
    func killContainerCgroup(_ sandboxID: String, _ containerID: String) {
        guard let cgroups, let path = containerCgroup(sandboxID, containerID) else { return }
        cgroups.killAll(path)
    }

    /// The cgroup files and oom_score_adj a process of this container starts with.
    func joinContainer(_ request: inout SpawnRequest, sandbox: PodSandboxConfig, containerID: String, config: ContainerConfig) {
        if let cgroups { request.cgroupProcs = cgroups.procsFiles("\(sandbox.podCgroup)/\(containerID)") }
        request.oomScoreAdj = Self.oomScoreAdj(config.resources?.oomScoreAdj)
    }

    /// The value to write, clamped to the kernel's range; nil when none is asked, or when it
    /// is below this process's own score and this process lacks CAP_SYS_RESOURCE (the write
    /// would fail: root in some sandboxes lacks it, so a Guaranteed pod's -997 is not set there
    /// and the container keeps the kubelet's score).
    static func oomScoreAdj(_ wanted: Int64?) -> Int32? {
        guard let wanted else { return nil }
        let value = Int32(min(1000, max(-1000, wanted)))
        if !hasSysResource {
            let own = CgroupFile.read("/proc/self/oom_score_adj").flatMap { Int32($0.split(separator: "\n").first ?? "") } ?? 0
            if value < own { return nil }
        }
        return value
    }

    /// CAP_SYS_RESOURCE (bit 24) in this process's effective set (`CapEff` in /proc/self/status).
    static var hasSysResource: Bool {
        guard let status = CgroupFile.read("/proc/self/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let bits = UInt64(line.dropFirst("CapEff:".count).trimmingPrefix(while: { $0 == " " || $0 == "\t" }), radix: 16) else { return false }
        return bits & (1 << 24) != 0
    }
}
