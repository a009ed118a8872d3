import Foundation
import Testing
@testable import apiserver

/// The scheduler running in the apiserver's controller manager, against Nodes created
/// through the API (plain objects: no kubelet).
@Suite(.serialized) struct SchedulerTests {
    func createNode(_ s: InProcessServer, _ node: JSON) async throws {
        let name = node["metadata"]["name"].stringValue ?? ""
        _ = try await s.client.create(.nodes, node)
        _ = try await s.client.patch(.nodes, name: name, ["status": node["status"]], status: true)
    }

    func pod(_ s: InProcessServer, _ name: String) async throws -> JSON {
        try await s.client.get(.pods, namespace: "default", name: name)
    }

    func events(_ s: InProcessServer, pod name: String, reason: String) async throws -> [JSON] {
        let all = try await s.client.list(.events, namespace: "default").items
        return all.filter { $0["involvedObject"]["name"].stringValue == name && $0["reason"].stringValue == reason }
    }

    /// Back-off long enough that only an event-driven retry schedules within the test.
    func startWithLongBackoff() async throws -> InProcessServer {
        try await InProcessServer.start {
            $0.controllers = true
            $0.schedulerInitialBackoffSeconds = 60
            $0.schedulerMaxBackoffSeconds = 60
        }
    }

    @Test func bindsPodsToFittingNodesAndRetriesTheUnschedulable() async throws {
        let s = try await startWithLongBackoff()
        do {
            try await createNode(s, schedNode("n1", labels: ["zone": "a"]))
            try await createNode(s, schedNode("n2", labels: ["zone": "b"], taints: [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]]))
            try await createNode(s, schedNode("n3", labels: ["zone": "b"]))

            _ = try await s.client.create(.pods, namespace: "default", podObject("in-a", node: nil) { $0["spec"]["nodeSelector"] = ["zone": "a"] })
            _ = try await s.client.create(.pods, namespace: "default", podObject("gpu", node: nil) {
                $0["spec"]["tolerations"] = [["key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"]]
                $0["spec"]["affinity"] = ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [
                    ["matchFields": [["key": "metadata.name", "operator": "In", "values": ["n2"]]]]]]]]
            })
            _ = try await s.client.create(.pods, namespace: "default", podObject("in-c", node: nil) { $0["spec"]["nodeSelector"] = ["zone": "c"] })
            _ = try await s.client.create(.pods, namespace: "default", podObject("mine", node: nil) { $0["spec"]["schedulerName"] = "my-scheduler" })

            try await eventuallyTrue(10) { try await pod(s, "in-a")["spec"]["nodeName"] == "n1" }
            try await eventuallyTrue(10) { try await pod(s, "gpu")["spec"]["nodeName"] == "n2" }
            let scheduled = try await pod(s, "in-a")["status"]["conditions"].arrayValue?.first { $0["type"] == "PodScheduled" }
            #expect(scheduled?["status"] == "True")
            try await eventuallyTrue(10) {
                try await events(s, pod: "in-a", reason: "Scheduled").first?["message"] == "Successfully assigned default/in-a to n1"
            }

            let message = "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match Pod's node affinity/selector."
            try await eventuallyTrue(10) {
                let c = try await pod(s, "in-c")["status"]["conditions"].arrayValue?.first { $0["type"] == "PodScheduled" }
                return c?["status"] == "False" && c?["reason"] == "Unschedulable" && c?["message"] == .string(message)
            }
            try await eventuallyTrue(10) {
                let e = try await events(s, pod: "in-c", reason: "FailedScheduling").first
                return e?["type"] == "Warning" && e?["message"] == .string(message)
            }
            #expect(try await pod(s, "in-c")["spec"]["nodeName"].isNull)

            // A node that fits: the waiting pod goes there without waiting for its (60 s) back-off.
            try await createNode(s, schedNode("n4", labels: ["zone": "c"]))
            try await eventuallyTrue(5) { try await pod(s, "in-c")["spec"]["nodeName"] == "n4" }

            // Another scheduler's pod is left alone.
            let mine = try await pod(s, "mine")
            #expect(mine["spec"]["nodeName"].isNull)
            #expect(mine["status"]["conditions"].isNull)
        } catch { Issue.record(error) }
        await s.stop()
    }

    @Test func unschedulableStatusIsWrittenOnlyWhenItChanges() async throws {
        let s = try await InProcessServer.start { $0.controllers = true }
        do {
            try await createNode(s, schedNode("n1", cpu: "1"))
            _ = try await s.client.create(.pods, namespace: "default", podObject("big", node: nil) {
                $0["spec"]["containers"] = [["name": "c", "image": "busybox", "resources": ["requests": ["cpu": "2"]]]]
            })
            let message = "0/1 nodes are available: 1 Insufficient cpu."
            try await eventuallyTrue(10) {
                try await pod(s, "big")["status"]["conditions"].arrayValue?.first { $0["type"] == "PodScheduled" }?["message"] == .string(message)
            }
            let written = rv(try await pod(s, "big"))
            // Node changes retry the pod; the same verdict writes no status, but each attempt
            // counts in the FailedScheduling event (one Event, its count growing).
            _ = try await s.client.patch(.nodes, name: "n1", ["metadata": ["labels": ["touched": "1"]]])
            try await Task.sleep(for: .milliseconds(500))
            #expect(rv(try await pod(s, "big")) == written)
            try await eventuallyTrue(10) {
                let all: [JSON] = try await s.client.list(.events, namespace: "default").items
                let failed: [JSON] = all.filter { (e: JSON) -> Bool in
                    e["reason"].stringValue == "FailedScheduling" && e["involvedObject"]["name"].stringValue == "big"
                }
                guard failed.count == 1 else { return false }
                let count: Int = failed[0]["count"].intValue ?? 0
                return count >= 2 && failed[0]["message"].stringValue == message
            }
        } catch { Issue.record(error) }
        await s.stop()
    }

    @Test func aPodThatFinishesOrGoesAwayMakesRoom() async throws {
        let s = try await startWithLongBackoff()
        do {
            try await createNode(s, schedNode("n1", pods: "1"))
            _ = try await s.client.create(.pods, namespace: "default", podObject("first", node: nil))
            try await eventuallyTrue(10) { try await pod(s, "first")["spec"]["nodeName"] == "n1" }
            _ = try await s.client.create(.pods, namespace: "default", podObject("second", node: nil))
            _ = try await s.client.create(.pods, namespace: "default", podObject("third", node: nil))
            let full = "0/1 nodes are available: 1 Too many pods."
            for name in ["second", "third"] {
                try await eventuallyTrue(10) {
                    try await pod(s, name)["status"]["conditions"].arrayValue?.first { $0["type"] == "PodScheduled" }?["message"] == .string(full)
                }
            }
            // first finishes: one of the waiting pods takes its place.
            _ = try await s.client.patch(.pods, namespace: "default", name: "first", ["status": ["phase": "Succeeded"]], status: true)
            try await eventuallyTrue(5) {
                let bound = [try await pod(s, "second"), try await pod(s, "third")].filter { $0["spec"]["nodeName"] == "n1" }
                return bound.count == 1
            }
            let waiting = try await pod(s, "second")["spec"]["nodeName"].isNull ? "second" : "third"
            let placed = waiting == "second" ? "third" : "second"
            // The placed pod is finalized (a graceful delete keeps it on the node until then): the other one gets the node.
            try await s.client.delete(.pods, namespace: "default", name: placed, gracePeriodSeconds: 0)
            try await eventuallyTrue(5) { try await pod(s, waiting)["spec"]["nodeName"] == "n1" }
        } catch { Issue.record(error) }
        await s.stop()
    }

    @Test func podsCreatedTogetherDoNotOverflowANode() async throws {
        let s = try await startWithLongBackoff()
        do {
            try await createNode(s, schedNode("n1", cpu: "4"))
            let containers: JSON = [["name": "c", "image": "busybox", "resources": ["requests": ["cpu": "3"]]]]
            let a0 = podObject("a", node: nil) { $0["spec"]["containers"] = containers }
            let b0 = podObject("b", node: nil) { $0["spec"]["containers"] = containers }
            // Created at once: the second is decided while the first's bind is still in flight.
            async let a = s.client.create(.pods, namespace: "default", a0)
            async let b = s.client.create(.pods, namespace: "default", b0)
            _ = try await (a, b)
            let message = "0/1 nodes are available: 1 Insufficient cpu."
            try await eventuallyTrue(10) {
                let pods = [try await pod(s, "a"), try await pod(s, "b")]
                let waiting = pods.filter {
                    $0["status"]["conditions"].arrayValue?.first { $0["type"] == "PodScheduled" }?["message"] == .string(message)
                }
                return pods.filter({ $0["spec"]["nodeName"] == "n1" }).count == 1 && waiting.count == 1
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect([try await pod(s, "a"), try await pod(s, "b")].filter { $0["spec"]["nodeName"] == "n1" }.count == 1)
        } catch { Issue.record(error) }
        await s.stop()
    }
}
