import Foundation
import Testing
import Wire

/// A kubelet whose `--cgroup-root` cannot be made (a path through a cgroup's `cgroup.procs`
/// file): pods still run, without limits, and the Node's status and a Warning event say so.
@Suite(.serialized) struct CgroupProblemTests {
    static let messagePrefix = "mkdir /sys/fs/cgroup/"
    static let messageSuffix = "/cgroup.procs/x: not a directory: containers run without limits"

    @Test func unusableCgroupRootRunsPodsWithoutLimitsAndSaysSoOnTheNode() async throws {
        try await PodCluster.run(kubeletArgs: ["--cgroup-root", "cgroup.procs/x"]) { c in
            _ = try await c.create(PodLifecycleTests.pod("limited", command: []) { p in
                p[path: ["spec", "containers"]] = [["name": "app", "image": "busybox", "command": ["sh", "-c", "echo ran; exec sleep 300"],
                                                     "resources": ["limits": ["memory": "64Mi", "cpu": "100m"]]]]
            })
            try await c.waitFor("limited", 15, "Running") { $0["status"]["phase"] == "Running" }
            #expect(try c.ctl.ok(["logs", "limited"]) == "ran\n")

            let node = try await c.client.get(.nodes, name: "node1")
            let condition = try #require((node["status"]["conditions"].arrayValue ?? []).first { $0["type"] == "CgroupsUnavailable" })
            #expect(condition["status"] == "True")
            #expect(condition["reason"] == "ContainerLimitsNotEnforced")
            let message = condition["message"].stringValue ?? ""
            #expect(message.hasPrefix(Self.messagePrefix) && message.hasSuffix(Self.messageSuffix), "\(message)")
            // Still Ready: pods run.
            #expect((node["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" })

            let events = try await c.client.list(.events, namespace: "default").items.filter {
                $0["involvedObject"]["kind"] == "Node" && $0["reason"] == "FailedNodeAllocatableEnforcement"
            }
            #expect(events.count == 1)
            #expect(events.first?["type"] == "Warning")
            #expect(events.first?["involvedObject"]["name"] == "node1")
            #expect(events.first?["message"].stringValue == message)

            let described = try c.ctl.ok(["describe", "node", "node1"])
            #expect(described.range(of: #"\n  CgroupsUnavailable +True +[A-Z][a-z]{2}, [^\n]+ContainerLimitsNotEnforced +mkdir /sys/fs/cgroup/"#,
                                     options: .regularExpression) != nil, "\(described)")
            #expect(described.contains("Warning  FailedNodeAllocatableEnforcement  "), "\(described)")
            #expect(described.contains(Self.messageSuffix + "\n"))
        }
    }

    @Test func usableCgroupsAddNoConditionAndNoEvent() async throws {
        try await PodCluster.run { c in
            let node = try await c.client.get(.nodes, name: "node1")
            let types = (node["status"]["conditions"].arrayValue ?? []).compactMap { $0["type"].stringValue }
            #expect(types == ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"])
            let reasons = try await c.client.list(.events, namespace: "default").items.compactMap { $0["reason"].stringValue }
            #expect(!reasons.contains("FailedNodeAllocatableEnforcement"))
        }
    }
}
