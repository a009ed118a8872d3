import Foundation
import Testing
import Wire

/// Node-pressure eviction through a real apiserver and kubelet. `--eviction-hard
/// memory.available<64Gi` is above this machine's memory, so the node is under
/// MemoryPressure from its first look: a BestEffort pod is refused at admission, and a
/// Burstable pod that is admitted is then evicted by the eviction manager. Needs root
/// (the pod cgroup's memory usage).
@Suite(.serialized) struct NodePressureEvictionTests {
    static func pod(_ name: String, node: String, cpuRequest: String? = nil) -> JSON {
        PodLifecycleTests.pod(name, command: ["sleep", "300"], restartPolicy: "Never") { p in
            p[path: ["spec", "nodeName"]] = .string(node)
            var c: JSON = ["name": "app", "image": "busybox", "command": ["sleep", "300"]]
            if let cpuRequest { c["resources"] = ["requests": ["cpu": .string(cpuRequest)]] }
            p[path: ["spec", "containers"]] = [c]
        }
    }

    @Test(.enabled(if: getuid() == 0, "cgroups need root"))
    func underMemoryPressureBestEffortIsRefusedAndARunningPodIsEvicted() async throws {
        try await PodCluster.run(kubeletArgs: ["--eviction-hard", "memory.available<64Gi", "--eviction-monitoring-period", "1s"]) { c in
            try await eventually(15, "MemoryPressure True") {
                let n = try await c.client.get(.nodes, name: c.node)
                return (n["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "MemoryPressure" && $0["status"] == "True" }
            }
            _ = try await c.create(Self.pod("besteffort", node: c.node))
            let refused = try await c.waitFor("besteffort", 20, "Failed") { $0["status"]["phase"] == "Failed" }
            #expect(refused["status"]["reason"] == "Evicted")
            #expect(refused["status"]["message"] == "Pod was rejected: The node had condition: [MemoryPressure]. ")
            #expect(try await c.events(of: "besteffort").contains("Evicted: The node had condition: [MemoryPressure]. "))

            _ = try await c.create(Self.pod("burstable", node: c.node, cpuRequest: "100m"))
            let evicted = try await c.waitFor("burstable", 30, "Failed") { $0["status"]["phase"] == "Failed" }
            #expect(evicted["status"]["reason"] == "Evicted")
            let message = evicted["status"]["message"].stringValue ?? ""
            let pattern = #"^The node was low on resource: memory\. Threshold quantity: 64Gi, available: [0-9]+(Ki|Mi|Gi)\. "#
                + #"(Container app was using [0-9]+(Ki|Mi)?, request is 0, has larger consumption of memory\. )?$"#
            #expect(message.range(of: pattern, options: .regularExpression) != nil, "\(message)")
            let disruption = (evicted["status"]["conditions"].arrayValue ?? []).first { $0["type"] == "DisruptionTarget" }
            #expect(disruption?["status"] == "True")
            #expect(disruption?["reason"] == "TerminationByKubelet")
            #expect(disruption?["message"].stringValue == message)
            #expect(try await c.events(of: "burstable").contains("Evicted: " + message))
            // It ran (its cgroup was measured), then grace 0: SIGKILL.
            let terminated = evicted["status"]["containerStatuses"].at(0)["state"]["terminated"]
            #expect(terminated["exitCode"] == 137)
            #expect(terminated["startedAt"].stringValue != nil)
        }
    }
}
