import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// The taint eviction controller on a fake clock: NoExecute taints evict pods that do not
/// tolerate them at once and the others when their tolerationSeconds have passed.
@Suite(.serialized) struct TaintEvictionTests {
    func node(_ name: String, taints: JSON) -> JSON {
        ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name)], "spec": ["taints": taints]]
    }

    func tolerating(_ name: String, node: String, seconds: Int?) -> JSON {
        podObject(name, node: node) {
            var t: JSON = ["key": "example.com/maintenance", "operator": "Exists", "effect": "NoExecute"]
            if let seconds { t["tolerationSeconds"] = .int(seconds) }
            $0[path: ["spec", "tolerations"]] = [t]
        }
    }

    func marked(_ s: InProcessServer, _ name: String) async throws -> Bool {
        try await !s.client.get(.pods, namespace: "default", name: name)["metadata"]["deletionTimestamp"].isNull
    }

    @Test func podsAreEvictedAtOnceOrAfterTheirTolerationSeconds() async throws {
        let s = try await InProcessServer.start()
        let clock = FakeClock(now: Timestamp.nowSeconds())
        let factory = SharedInformerFactory(client: s.client, clock: clock)
        let events = EventRecorder(client: s.client, component: TaintEvictionController.component)
        let maintenance: JSON = [["key": "example.com/maintenance", "effect": "NoExecute"]]
        var run: Task<Void, Never>?
        do {
            _ = try await s.client.create(.nodes, node("n1", taints: maintenance))
            _ = try await s.client.create(.nodes, node("n2", taints: [["key": "node.kubernetes.io/unreachable", "effect": "NoExecute"]]))
            _ = try await s.client.create(.nodes, node("n3", taints: maintenance))
            _ = try await s.client.create(.nodes, node("calm", taints: [["key": "example.com/maintenance", "effect": "NoSchedule"]]))
            _ = try await s.client.create(.pods, namespace: "default", podObject("plain", node: "n1"))
            _ = try await s.client.create(.pods, namespace: "default", tolerating("briefly", node: "n1", seconds: 60))
            _ = try await s.client.create(.pods, namespace: "default", tolerating("forever", node: "n1", seconds: nil))
            _ = try await s.client.create(.pods, namespace: "default", podObject("lost", node: "n2"))
            _ = try await s.client.create(.pods, namespace: "default", tolerating("saved", node: "n3", seconds: 60))
            _ = try await s.client.create(.pods, namespace: "default", podObject("quiet", node: "calm"))
            let controller = TaintEvictionController(client: s.client, logger: .init(label: "test"), events: events)
            run = Task { await controller.run(factory: factory) }
            factory.start()

            // Not tolerated: deleted at once (gracefully, as the pod is bound and running).
            try await eventuallyTrue(5) { try await marked(s, "plain") }
            let plain = try await s.client.get(.pods, namespace: "default", name: "plain")
            #expect(plain["metadata"]["deletionGracePeriodSeconds"] == 30)
            var disruption = plain["status"]["conditions"].arrayValue?.first { $0["type"] == "DisruptionTarget" } ?? .null
            #expect(disruption["lastTransitionTime"].stringValue != nil)
            disruption["lastTransitionTime"] = .null
            #expect(disruption == ["type": "DisruptionTarget", "status": "True", "reason": "DeletionByTaintManager",
                                   "message": "Taint manager: deleting due to NoExecute taint"])
            try await eventuallyTrue(5) { clock.sleeperCount == 1 }
            try await Task.sleep(for: .milliseconds(200))
            // The taint leaves n3 before saved's 60 s are up: its eviction is cancelled.
            _ = try await s.client.patch(.nodes, name: "n3", ["spec": ["taints": .null]])
            try await Task.sleep(for: .milliseconds(200))
            clock.advance(by: 59)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await !marked(s, "briefly"))
            clock.advance(by: 1)
            try await eventuallyTrue(5) { try await marked(s, "briefly") }
            // The default unreachable toleration holds lost for 300 s.
            try await eventuallyTrue(5) { clock.sleeperCount == 1 }
            clock.advance(by: 239)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await !marked(s, "lost"))
            clock.advance(by: 1)
            try await eventuallyTrue(5) { try await marked(s, "lost") }
            for name in ["forever", "saved", "quiet"] { #expect(try await !marked(s, name)) }

            try await eventuallyTrue(5) {
                try await s.client.list(.events, namespace: "default").items.filter { $0["reason"] == "TaintManagerEviction" }.count == 4
            }
            let seen = try await s.client.list(.events, namespace: "default").items
                .filter { $0["reason"] == "TaintManagerEviction" }
                .map { "\($0["involvedObject"]["name"].stringValue ?? "") \($0["source"]["component"].stringValue ?? ""): \($0["message"].stringValue ?? "")" }
            #expect(Set(seen) == [
                "plain taint-eviction-controller: Marking for deletion Pod default/plain",
                "briefly taint-eviction-controller: Marking for deletion Pod default/briefly",
                "lost taint-eviction-controller: Marking for deletion Pod default/lost",
                "saved taint-eviction-controller: Cancelling deletion of Pod default/saved",
            ])
        } catch { Issue.record(error) }
        run?.cancel()
        factory.shutDown()
        events.close()
        await s.stop()
    }

    @Test func decisionsFollowKubernetesMinimumTolerationTime() {
        let tainted = node("n", taints: [["key": "a", "effect": "NoExecute"], ["key": "b", "value": "x", "effect": "NoExecute"]])
        func pod(_ tolerations: JSON) -> JSON { ["spec": ["tolerations": tolerations]] }
        #expect(TaintEvictionController.decide(pod: pod([["key": "a", "operator": "Exists"]]), node: tainted) == .evictNow)
        #expect(TaintEvictionController.decide(pod: pod([["key": "a", "operator": "Exists", "tolerationSeconds": 30],
                                                         ["key": "b", "value": "x", "tolerationSeconds": 10]]), node: tainted) == .evictAfter(10))
        #expect(TaintEvictionController.decide(pod: pod([["operator": "Exists"]]), node: tainted) == .keep)
        #expect(TaintEvictionController.decide(pod: pod([["operator": "Exists", "tolerationSeconds": 0]]), node: tainted) == .evictNow)
        #expect(TaintEvictionController.decide(pod: pod([]), node: node("n", taints: [["key": "a", "effect": "NoSchedule"]])) == .keep)
        #expect(TaintEvictionController.decide(pod: pod([]), node: nil) == .keep)
    }
}
