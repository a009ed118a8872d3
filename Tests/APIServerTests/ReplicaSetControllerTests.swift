import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// The ReplicaSet controller against an in-process apiserver (no scheduler, no kubelet:
/// pods stay Pending unless a test writes their status), on a fake clock.
@Suite(.serialized) struct ReplicaSetControllerTests {
    /// An apiserver with only the ReplicaSet controller running.
    final class Setup: @unchecked Sendable {
        let server: InProcessServer
        let clock: FakeClock
        let factory: SharedInformerFactory
        let events: EventRecorder
        var run: Task<Void, Never>?
        var client: Client { server.client }

        init() async throws {
            server = try await InProcessServer.start()
            clock = FakeClock(now: Timestamp.nowSeconds())
            factory = SharedInformerFactory(client: server.client, clock: clock)
            events = EventRecorder(client: server.client, component: ReplicaSetController.component)
        }

        func start() {
            let controller = ReplicaSetController(client: server.client, logger: .init(label: "test"), events: events)
            let f = factory
            run = Task { await controller.run(factory: f) }
            factory.start()
        }

        func stop() async {
            run?.cancel()
            factory.shutDown()
            events.close()
            await server.stop()
        }

        func pods() async throws -> [JSON] { try await client.list(.pods, namespace: "default").items }
        /// Names of pods not being deleted, sorted.
        func liveNames() async throws -> [String] {
            try await pods().filter { $0["metadata"]["deletionTimestamp"].isNull }.compactMap { $0["metadata"]["name"].stringValue }.sorted()
        }
        func owned(by rs: JSON) async throws -> [JSON] {
            try await pods().filter { ControllerRefs.isControlled($0, byUID: rs["metadata"]["uid"].stringValue ?? "") }
        }
        func status(_ name: String) async throws -> JSON { try await client.get(.replicaSets, namespace: "default", name: name)["status"] }
        func scale(_ name: String, _ n: Int) async throws {
            _ = try await client.patch(.replicaSets, namespace: "default", name: name, ["spec": ["replicas": .int(n)]])
        }
    }

    static func replicaSet(_ name: String, replicas: Int, minReadySeconds: Int = 0, finalizers: [String] = []) -> JSON {
        var rs: JSON = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": .string(name), "namespace": "default"],
                        "spec": ["replicas": .int(replicas), "selector": ["matchLabels": ["tier": "frontend"]],
                                 "template": ["metadata": ["labels": ["tier": "frontend", "app": "web"]],
                                              "spec": ["containers": [["name": "nginx", "image": "nginx"]]]]]]
        if minReadySeconds > 0 { rs[path: ["spec", "minReadySeconds"]] = .int(minReadySeconds) }
        if !finalizers.isEmpty { rs[path: ["metadata", "finalizers"]] = .array(finalizers.map { .string($0) }) }
        return rs
    }

    static func labeled(_ name: String, node: String? = nil, labels: JSON = ["tier": "frontend"]) -> JSON {
        podObject(name, node: node) { $0[path: ["metadata", "labels"]] = labels }
    }

    /// Writes a pod's phase and Ready condition through the status subresource.
    static func setStatus(_ client: Client, _ name: String, phase: String, ready: Bool, readySince: Double? = nil) async throws {
        var pod = try await client.get(.pods, namespace: "default", name: name)
        pod[path: ["status", "phase"]] = .string(phase)
        pod[path: ["status", "conditions"]] = [["type": "Ready", "status": ready ? "True" : "False",
                                                "lastTransitionTime": .string(Timestamp.format(readySince ?? Timestamp.nowSeconds()))]]
        _ = try await client.update(.pods, pod, status: true)
    }

    @Test func createsThePodsItLacksOwnedAndCountedInItsStatus() async throws {
        let s = try await Setup()
        do {
            s.start()
            let rs = try await s.client.create(.replicaSets, namespace: "default", Self.replicaSet("frontend", replicas: 3))
            try await eventuallyTrue(5) { try await s.status("frontend") == ["replicas": 3, "fullyLabeledReplicas": 3, "observedGeneration": 1] }
            // Pending pods count; no more are made once the cache has them (expectations).
            try await Task.sleep(for: .milliseconds(500))
            let pods = try await s.pods()
            #expect(pods.count == 3)
            for p in pods {
                #expect(p["metadata"]["name"].stringValue?.hasPrefix("frontend-") == true)
                #expect(p["metadata"]["generateName"] == "frontend-")
                #expect(p["metadata"]["labels"] == ["tier": "frontend", "app": "web"])
                #expect(p["metadata"]["ownerReferences"] == [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "frontend",
                                                              "uid": rs["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true]])
                #expect(p["status"]["phase"] == "Pending")
            }
            try await eventuallyTrue(5) {
                try await s.client.list(.events, namespace: "default").items.filter { $0["reason"] == "SuccessfulCreate" }.count == 3
            }
            let created = try await s.client.list(.events, namespace: "default").items.filter { $0["reason"] == "SuccessfulCreate" }
            let names = Set(pods.compactMap { $0["metadata"]["name"].stringValue })
            for e in created {
                #expect(e["source"]["component"] == "replicaset-controller")
                #expect(e["involvedObject"]["kind"] == "ReplicaSet")
                #expect(e["involvedObject"]["name"] == "frontend")
                let message = e["message"].stringValue ?? ""
                #expect(message.hasPrefix("Created pod: ") && names.contains(String(message.dropFirst("Created pod: ".count))))
            }

            // Forty more at once: exactly forty are made, never more.
            try await s.scale("frontend", 43)
            try await eventuallyTrue(10) { try await s.status("frontend")["replicas"] == 43 }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await s.pods().count == 43)
            #expect(try await s.status("frontend") == ["replicas": 43, "fullyLabeledReplicas": 43, "observedGeneration": 2])
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    @Test func scalesDownUnscheduledThenPendingThenUnreadyPodsFirst() async throws {
        let s = try await Setup()
        do {
            _ = try await s.client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]])
            for (name, node) in [("ready", "n1"), ("unready", "n1"), ("unscheduled", nil), ("pending", "n1")] {
                _ = try await s.client.create(.pods, namespace: "default", Self.labeled(name, node: node))
            }
            try await Self.setStatus(s.client, "ready", phase: "Running", ready: true)
            try await Self.setStatus(s.client, "unready", phase: "Running", ready: false)
            s.start()
            // The four orphans are adopted: none is made.
            let rs = try await s.client.create(.replicaSets, namespace: "default", Self.replicaSet("frontend", replicas: 4))
            try await eventuallyTrue(5) {
                // Not fully labeled: the orphans lack the template's `app` label.
                try await s.status("frontend") == ["replicas": 4, "readyReplicas": 1, "availableReplicas": 1, "observedGeneration": 1]
            }
            #expect(try await s.owned(by: rs).count == 4)
            #expect(try await s.pods().count == 4)
            for (replicas, left) in [(3, ["pending", "ready", "unready"]), (2, ["ready", "unready"]), (1, ["ready"])] {
                try await s.scale("frontend", replicas)
                try await eventuallyTrue(5) { try await s.liveNames() == left }
            }
            try await eventuallyTrue(5) {
                try await s.client.list(.events, namespace: "default").items.filter { $0["reason"] == "SuccessfulDelete" }
                    .compactMap { $0["message"].stringValue }.sorted() == ["Deleted pod: pending", "Deleted pod: unready", "Deleted pod: unscheduled"]
            }
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    @Test func adoptsMatchingOrphansReleasesPodsThatStopMatchingAndLeavesOthersPodsAlone() async throws {
        let s = try await Setup()
        do {
            _ = try await s.client.create(.pods, namespace: "default", Self.labeled("orphan"))
            let foreignRef: JSON = [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "other", "uid": "other-uid", "controller": true]]
            _ = try await s.client.create(.pods, namespace: "default", podObject("foreign", node: nil) {
                $0[path: ["metadata", "labels"]] = ["tier": "frontend"]
                $0[path: ["metadata", "ownerReferences"]] = foreignRef
            })
            s.start()
            let rs = try await s.client.create(.replicaSets, namespace: "default", Self.replicaSet("frontend", replicas: 2))
            let uid = rs["metadata"]["uid"]
            try await eventuallyTrue(5) { try await s.owned(by: rs).count == 2 }
            let orphan = try await s.client.get(.pods, namespace: "default", name: "orphan")
            #expect(orphan["metadata"]["ownerReferences"] == [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "frontend",
                                                               "uid": uid, "controller": true, "blockOwnerDeletion": true]])
            #expect(try await s.pods().count == 3)

            // Relabelled out of the selector: released, and replaced.
            _ = try await s.client.patch(.pods, namespace: "default", name: "orphan", ["metadata": ["labels": ["tier": "backend"]]])
            try await eventuallyTrue(5) {
                try await s.client.get(.pods, namespace: "default", name: "orphan")["metadata"]["ownerReferences"].isNull
            }
            try await eventuallyTrue(5) {
                let owned = try await s.owned(by: rs).count, all = try await s.pods().count
                return owned == 2 && all == 4
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await s.client.get(.pods, namespace: "default", name: "foreign")["metadata"]["ownerReferences"] == foreignRef)
            #expect(try await s.pods().count == 4)
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    @Test func replacesADeletedPodUnlessTheReplicaSetIsBeingDeleted() async throws {
        let s = try await Setup()
        do {
            s.start()
            let rs = try await s.client.create(.replicaSets, namespace: "default", Self.replicaSet("frontend", replicas: 2, finalizers: ["example.com/hold"]))
            try await eventuallyTrue(5) { try await s.owned(by: rs).count == 2 }
            let first = try await s.liveNames()
            try await s.client.delete(.pods, namespace: "default", name: first[0])
            try await eventuallyTrue(5) {
                let now = try await s.liveNames()
                return now.count == 2 && !now.contains(first[0])
            }
            // Being deleted (held by its finalizer): a lost pod is not replaced.
            try await s.client.delete(.replicaSets, namespace: "default", name: "frontend")
            let second = try await s.liveNames()
            try await s.client.delete(.pods, namespace: "default", name: second[0])
            try await eventuallyTrue(5) { try await s.status("frontend")["replicas"] == 1 }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await s.liveNames() == [second[1]])
            _ = try await s.client.patch(.replicaSets, namespace: "default", name: "frontend", ["metadata": ["finalizers": .null]])
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    @Test func podsBecomeAvailableAfterMinReadySeconds() async throws {
        let s = try await Setup()
        do {
            s.start()
            let rs = try await s.client.create(.replicaSets, namespace: "default", Self.replicaSet("slow", replicas: 2, minReadySeconds: 10))
            try await eventuallyTrue(5) { try await s.owned(by: rs).count == 2 }
            for p in try await s.owned(by: rs) {
                try await Self.setStatus(s.client, p["metadata"]["name"].stringValue ?? "", phase: "Running", ready: true, readySince: s.clock.now)
            }
            try await eventuallyTrue(5) { try await s.status("slow") == ["replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "observedGeneration": 1] }
            // A status write from a cache behind the controller's own last write conflicts
            // and is retried after the queue's 5 ms back-off, on this fake clock: let it run.
            s.clock.advance(by: 0.01)
            try await Task.sleep(for: .milliseconds(300))
            s.clock.advance(by: 9)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await s.status("slow")["availableReplicas"].isNull)
            s.clock.advance(by: 2)
            try await eventuallyTrue(5) {
                try await s.status("slow") == ["replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": 1]
            }
        } catch { Issue.record("\(error)") }
        await s.stop()
    }
}
