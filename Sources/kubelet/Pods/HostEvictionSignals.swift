import Foundation
import KubeletCore

/// The eviction manager's view of the real host: /proc readings through `HostObserver`, and
/// each pod's memory use from its pod cgroup (`memory.current` on v2, `memory.usage_in_bytes`
/// on v1) and its running containers' cgroups below it.
struct HostEvictionSignals: EvictionSignals {
    let observer: HostObserver
    let runtime: HostRuntime

    func readings() -> PressureReadings { observer.readings() }

    func memoryUsage(_ pod: Pod) async -> PodMemoryUsage? {
        guard let uid = pod.metadata.uid, let cgroups = runtime.cgroups else { return nil }
        let podCgroup = "pod\(uid)"
        guard let total = Self.usage(cgroups.directory(podCgroup, controller: "memory")) else { return nil }
        var containers: [String: Int64] = [:]
        let running = (try? await runtime.listContainers(ContainerFilter(state: .running, labels: [ContainerLabels.podUID: uid]))) ?? []
        for c in running {
            guard let name = c.config.labels[ContainerLabels.containerName],
                  let bytes = Self.usage(cgroups.directory("\(podCgroup)/\(c.id)", controller: "memory")) else { continue }
            containers[name] = bytes
        }
        return PodMemoryUsage(total: total, containers: containers)
    }

    static func usage(_ directory: String?) -> Int64? {
        guard let directory else { return nil }
        for file in ["memory.current", "memory.usage_in_bytes"] {
            if let text = try? String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8),
               let v = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return v }
        }
        return nil
    }
}
