import Foundation
import Testing
import Wire

/// nodeSelector and taints steer pods across two real kubelets; a pod that fits nowhere
/// says why. The apiserver (with its scheduler) and both kubelets are separate processes.
@Suite(.serialized) struct PodPlacementTests {
    @Test func nodeSelectorAndTaintsSteerPodsAcrossTwoKubelets() async throws {
        try await PodCluster.run { c in
            // A second kubelet, labelled disktype=ssd, with its own root dir and cgroup root.
            let root2 = c.fixture.dir.path + "/kubelet2"
            let log2 = root2 + ".log"
            _ = FileManager.default.createFile(atPath: log2, contents: nil)
            let second = try PodCluster.launch(["run", "--server", c.fixture.server.address.description, "--token", c.fixture.server.nodeToken,
                                                "--node-name", "node2", "--root-dir", root2, "--node-lease-duration", "4s",
                                                "--node-labels", "disktype=ssd"], log: log2)
            defer {
                second.terminate()
                second.waitUntilExit()
            }
            try await eventually(15, "node2 Ready") {
                let n = try await c.client.get(.nodes, name: "node2")
                return (n["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
            }
            func pod(_ name: String, _ spec: (inout JSON) -> Void = { _ in }) -> JSON {
                PodLifecycleTests.pod(name, command: ["sleep", "300"]) { p in spec(&p) }
            }
            func nodeOf(_ name: String) async throws -> String {
                try await c.waitFor(name, 15, "Running") { $0["status"]["phase"] == "Running" }["spec"]["nodeName"].stringValue ?? ""
            }
            // nodeSelector: only node2 carries the label.
            _ = try await c.create(pod("ssd") { $0[path: ["spec", "nodeSelector"]] = ["disktype": "ssd"] })
            #expect(try await nodeOf("ssd") == "node2")
            // A NoSchedule taint on node2 sends an untolerating pod to node1 every time.
            _ = try await c.client.patch(.nodes, name: "node2", ["spec": ["taints": [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]]]])
            for i in 0..<3 {
                _ = try await c.create(pod("plain-\(i)"))
                #expect(try await nodeOf("plain-\(i)") == "node1")
            }
            // A pod that tolerates it and selects ssd lands on node2.
            _ = try await c.create(pod("gpu") {
                $0[path: ["spec", "nodeSelector"]] = ["disktype": "ssd"]
                $0[path: ["spec", "tolerations"]] = [["key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"]]
            })
            #expect(try await nodeOf("gpu") == "node2")
            // Fits nowhere: Pending, and the condition says why.
            _ = try await c.create(pod("nowhere") { $0[path: ["spec", "nodeSelector"]] = ["disktype": "ssd"] })
            let p = try await c.waitFor("nowhere", 15, "Unschedulable") {
                $0["status"]["conditions"].arrayValue?.contains { $0["type"] == "PodScheduled" && $0["reason"] == "Unschedulable" } ?? false
            }
            #expect(p["status"]["phase"] == "Pending" && p["spec"]["nodeName"].isNull)
            #expect(p["status"]["conditions"].arrayValue?.first { $0["type"] == "PodScheduled" }?["message"]
                    == "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}.")
            // node2's pods go before its kubelet stops (PodCluster cleans up node1's).
            for name in ["ssd", "gpu"] { _ = try c.ctl.ok(["delete", "pod", name]) }
            try await eventually(15, "node2's sandboxes removed") {
                ((try? FileManager.default.contentsOfDirectory(atPath: root2 + "/runtime/host/sandboxes")) ?? []).isEmpty
            }
        }
    }
}
