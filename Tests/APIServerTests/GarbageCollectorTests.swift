import ControllerRuntime
import Foundation
import Testing
import Wire
@testable import apiserver

/// The garbage collector against an in-process apiserver: dependents made by hand with
/// ownerReferences (ConfigMaps, Secrets, Pods, Leases), owners deleted with each policy.
@Suite(.serialized) struct GarbageCollectorTests {
    /// A server with the collector running on a shared informer factory.
    func withCollector(_ body: (InProcessServer) async throws -> Void) async throws {
        let s = try await InProcessServer.start()
        let factory = SharedInformerFactory(client: s.client)
        let collector = GarbageCollector(client: s.client, logger: .init(label: "test"))
        let run = Task { await collector.run(factory: factory) }
        factory.start()
        do { try await body(s) } catch { Issue.record(error) }
        run.cancel()
        factory.shutDown()
        await run.value
        await s.stop()
    }

    func ref(_ owner: JSON, block: Bool? = nil) -> JSON {
        var r: JSON = ["apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"]]
        if let block { r["blockOwnerDeletion"] = .bool(block) }
        return r
    }

    func owned(_ object: JSON, by refs: [JSON]) -> JSON {
        var o = object
        o[path: ["metadata", "ownerReferences"]] = .array(refs)
        return o
    }

    func secret(_ name: String) -> JSON { ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name)]] }

    func present(_ s: InProcessServer, _ type: ResourceType, _ name: String, namespace: String? = "default") async throws -> Bool {
        try await s.client.getIfPresent(type, namespace: namespace, name: name) != nil
    }

    @Test func backgroundDeletesTheOwnerAtOnceAndCollectsTheDependentsAfter() async throws {
        try await withCollector { s in
            let owner = try await s.client.create(.configMaps, namespace: "default", cm("owner"))
            _ = try await s.client.create(.configMaps, namespace: "default", owned(cm("dep-cm"), by: [ref(owner)]))
            _ = try await s.client.create(.secrets, namespace: "default", owned(secret("dep-secret"), by: [ref(owner, block: true)]))
            _ = try await s.client.create(.pods, namespace: "default", owned(podObject("dep-pod", node: nil), by: [ref(owner)]))
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await present(s, .configMaps, "dep-cm"))
            _ = try await s.client.delete(.configMaps, namespace: "default", name: "owner", propagationPolicy: "Background")
            #expect(try await !present(s, .configMaps, "owner"))
            try await eventuallyTrue(10) {
                let cm = try await present(s, .configMaps, "dep-cm"), secret = try await present(s, .secrets, "dep-secret")
                let pod = try await present(s, .pods, "dep-pod")
                return !cm && !secret && !pod
            }
        }
    }

    @Test func foregroundKeepsTheOwnerVisibleUntilBlockingDependentsAreGoneFromStorage() async throws {
        try await withCollector { s in
            let owner = try await s.client.create(.configMaps, namespace: "default", cm("fg"))
            // A bound pod is deleted gracefully: Terminating, it still blocks its owner.
            _ = try await s.client.create(.pods, namespace: "default", owned(podObject("blocker", node: "n1"), by: [ref(owner, block: true)]))
            _ = try await s.client.create(.configMaps, namespace: "default", owned(cm("free"), by: [ref(owner)]))
            let answer = try await s.client.delete(.configMaps, namespace: "default", name: "fg", propagationPolicy: "Foreground")
            #expect(answer["metadata"]["finalizers"] == ["foregroundDeletion"])
            #expect(!answer["metadata"]["deletionTimestamp"].isNull)
            try await eventuallyTrue(10) { try await !present(s, .configMaps, "free") }
            try await eventuallyTrue(10) {
                try await !s.client.get(.pods, namespace: "default", name: "blocker")["metadata"]["deletionTimestamp"].isNull
            }
            let blocker = try await s.client.get(.pods, namespace: "default", name: "blocker")
            // A leaf dependent is deleted in the background (Kubernetes does the same).
            #expect(blocker["metadata"]["finalizers"].isNull)
            #expect(blocker["metadata"]["deletionGracePeriodSeconds"] == 30)
            try await Task.sleep(for: .milliseconds(500))
            let waiting = try await s.client.get(.configMaps, namespace: "default", name: "fg")
            #expect(waiting["metadata"]["finalizers"] == ["foregroundDeletion"])
            #expect(waiting["metadata"]["deletionTimestamp"] == answer["metadata"]["deletionTimestamp"])
            // The kubelet's final delete removes the pod from storage; then the owner goes.
            _ = try await s.client.delete(.pods, namespace: "default", name: "blocker", gracePeriodSeconds: 0)
            try await eventuallyTrue(10) { try await !present(s, .configMaps, "fg") }
        }
    }

    @Test func foregroundGoesDownTheChainInTheForeground() async throws {
        try await withCollector { s in
            let top = try await s.client.create(.configMaps, namespace: "default", cm("top"))
            let middle = try await s.client.create(.configMaps, namespace: "default", owned(cm("middle"), by: [ref(top, block: true)]))
            var leaf = owned(cm("leaf"), by: [ref(middle, block: true)])
            leaf[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            _ = try await s.client.create(.configMaps, namespace: "default", leaf)
            _ = try await s.client.delete(.configMaps, namespace: "default", name: "top", propagationPolicy: "Foreground")
            // The middle has a dependent of its own: it is deleted in the foreground too.
            try await eventuallyTrue(10) {
                try await s.client.get(.configMaps, namespace: "default", name: "middle")["metadata"]["finalizers"] == ["foregroundDeletion"]
            }
            try await eventuallyTrue(10) {
                try await !s.client.get(.configMaps, namespace: "default", name: "leaf")["metadata"]["deletionTimestamp"].isNull
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await present(s, .configMaps, "top"))
            #expect(try await present(s, .configMaps, "middle"))
            _ = try await s.client.patch(.configMaps, namespace: "default", name: "leaf", ["metadata": ["finalizers": .null]])
            try await eventuallyTrue(10) {
                let middle = try await present(s, .configMaps, "middle"), top = try await present(s, .configMaps, "top")
                return !middle && !top
            }
        }
    }

    @Test func orphanLetsTheDependentsGoBeforeTheOwnerGoes() async throws {
        try await withCollector { s in
            let owner = try await s.client.create(.configMaps, namespace: "default", cm("keeper"))
            let other = try await s.client.create(.configMaps, namespace: "default", cm("other"))
            _ = try await s.client.create(.configMaps, namespace: "default", owned(cm("only"), by: [ref(owner, block: true)]))
            _ = try await s.client.create(.pods, namespace: "default", owned(podObject("shared", node: "n1"), by: [ref(owner), ref(other)]))
            try await Task.sleep(for: .milliseconds(300))
            let answer = try await s.client.delete(.configMaps, namespace: "default", name: "keeper", propagationPolicy: "Orphan")
            #expect(answer["metadata"]["finalizers"] == ["orphan"])
            try await eventuallyTrue(10) { try await !present(s, .configMaps, "keeper") }
            // Read as soon as the owner is seen gone: the references went first.
            let only = try await s.client.get(.configMaps, namespace: "default", name: "only")
            #expect(only["metadata"]["ownerReferences"].isNull, "\(only)")
            #expect(try await s.client.get(.pods, namespace: "default", name: "shared")["metadata"]["ownerReferences"] == [ref(other)])
            // A dependent seen only after its owner was orphaned is orphaned too, not collected.
            _ = try await s.client.create(.configMaps, namespace: "default", owned(cm("late"), by: [ref(owner)]))
            try await eventuallyTrue(10) {
                try await s.client.get(.configMaps, namespace: "default", name: "late")["metadata"]["ownerReferences"].isNull
            }
            try await Task.sleep(for: .milliseconds(500))
            for name in ["only", "late"] { #expect(try await present(s, .configMaps, name), "\(name)") }
            #expect(try await present(s, .pods, "shared"))
        }
    }

    @Test func ownersAreLookedUpByKindNamespaceAndUID() async throws {
        try await withCollector { s in
            let owner = try await s.client.create(.configMaps, namespace: "default", cm("same"))
            _ = try await s.client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "elsewhere"]])
            var stale = ref(owner)
            stale["uid"] = "0f0f0f0f-0000-4000-8000-000000000001"
            let widget: JSON = ["apiVersion": "example.com/v1", "kind": "Widget", "name": "w", "uid": "0f0f0f0f-0000-4000-8000-000000000002"]
            // Same name, another UID (the owner was deleted and made again): collected.
            _ = try await s.client.create(.configMaps, namespace: "default", owned(cm("stale"), by: [stale]))
            // The owner's name and UID, but in another namespace: no such owner there.
            _ = try await s.client.create(.configMaps, namespace: "elsewhere", owned(cm("far"), by: [ref(owner)]))
            // An owner of a kind Skiff does not serve keeps its dependents.
            _ = try await s.client.create(.configMaps, namespace: "default", owned(cm("widgeted"), by: [widget]))
            _ = try await s.client.create(.configMaps, namespace: "default", owned(cm("kept"), by: [ref(owner)]))
            try await eventuallyTrue(10) {
                let stale = try await present(s, .configMaps, "stale"), far = try await present(s, .configMaps, "far", namespace: "elsewhere")
                return !stale && !far
            }
            try await Task.sleep(for: .milliseconds(500))
            for name in ["widgeted", "kept", "same"] { #expect(try await present(s, .configMaps, name), "\(name)") }
        }
    }

    /// A dependent in namespace A naming an owner that lives in B finds it absent in A; that
    /// must not make the owner absent for its real dependents in B.
    @Test func anOwnerAbsentFromAnotherNamespaceStaysLiveForItsOwnDependents() async throws {
        try await withCollector { s in
            _ = try await s.client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "ns-a"]])
            _ = try await s.client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "ns-b"]])
            let owner = try await s.client.create(.configMaps, namespace: "ns-b", cm("u"))
            _ = try await s.client.create(.configMaps, namespace: "ns-a", owned(cm("bad"), by: [ref(owner)]))
            try await eventuallyTrue(10) { try await !present(s, .configMaps, "bad", namespace: "ns-a") }
            // U's real dependent also has owner X; X's deletion makes the collector look at it.
            let other = try await s.client.create(.configMaps, namespace: "ns-b", cm("x"))
            _ = try await s.client.create(.configMaps, namespace: "ns-b", owned(cm("real"), by: [ref(owner), ref(other)]))
            try await Task.sleep(for: .milliseconds(300))
            _ = try await s.client.delete(.configMaps, namespace: "ns-b", name: "x", propagationPolicy: "Background")
            try await eventuallyTrue(10) {
                let real = try await s.client.getIfPresent(.configMaps, namespace: "ns-b", name: "real")
                return real?["metadata"]["ownerReferences"].arrayValue?.count != 2
            }
            let real = try await s.client.getIfPresent(.configMaps, namespace: "ns-b", name: "real")
            #expect(real?["metadata"]["ownerReferences"].arrayValue?.map { $0["name"] } == ["u"])
            #expect(try await present(s, .configMaps, "u", namespace: "ns-b"))
        }
    }

    @Test func aNodesLeaseIsCollectedOnlyAfterTheNode() async throws {
        try await withCollector { s in
            let node = try await s.client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]])
            let lease: JSON = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                               "metadata": ["name": "n1", "namespace": "kube-node-lease", "ownerReferences": [ref(node)]],
                               "spec": ["holderIdentity": "n1", "leaseDurationSeconds": 40]]
            _ = try await s.client.create(.leases, namespace: "kube-node-lease", lease)
            // A lease whose node is gone shows the collector is at work meanwhile.
            var gone = lease
            gone[path: ["metadata", "name"]] = "n0"
            gone[path: ["metadata", "ownerReferences"]] = [["apiVersion": "v1", "kind": "Node", "name": "n0", "uid": "0f0f0f0f-0000-4000-8000-000000000003"]]
            _ = try await s.client.create(.leases, namespace: "kube-node-lease", gone)
            try await eventuallyTrue(10) { try await !present(s, .leases, "n0", namespace: "kube-node-lease") }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await present(s, .leases, "n1", namespace: "kube-node-lease"))
            _ = try await s.client.delete(.nodes, name: "n1")
            try await eventuallyTrue(10) { try await !present(s, .leases, "n1", namespace: "kube-node-lease") }
        }
    }
}
