import Foundation
import Testing
import TestSupport
@testable import apiserver

func podObject(_ name: String, node: String?, extra: (inout JSON) -> Void = { _ in }) -> JSON {
    var spec: JSON = ["containers": [["name": "c", "image": "busybox"]]]
    if let node { spec["nodeName"] = .string(node) }
    var pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": spec]
    extra(&pod)
    return pod
}

/// Pods watched by `spec.nodeName=` (every kubelet's watch): the hub finds a pod change's
/// watchers by its node, old and new, instead of checking every watcher's filter.
@Suite(.serialized) struct PodNodeIndexTests {
    /// Watch request ids 1...1000 watch node-0...node-999; 1001 watches unscheduled pods.
    static let unscheduledWatch = 1001

    /// Event frames up to and including the first one for request `until`, as
    /// "id TYPE name" strings, sorted (one publish may reach its watchers in any order).
    func events(_ raw: RawPeer, until: Int) async throws -> [String] {
        try await offThread {
            var seen: [String] = []
            while let f = raw.next() {
                guard f["type"] == "event", let id = f["id"].intValue else { continue }
                seen.append("\(id) \(f["event"].stringValue ?? "") \(f["object"]["metadata"]["name"].stringValue ?? "")")
                if id == until { break }
            }
            return seen.sorted()
        }
    }

    @Test func aPodChangeReachesOnlyTheWatchersOfItsNodes() async throws {
        let s = try await InProcessServer.start()
        let raw = try RawPeer(s.address, token: s.tokens.admin)
        for i in 0..<1000 {
            raw.request(i + 1, ["verb": "watch", "resource": "pods", "fieldSelector": .string("spec.nodeName=node-\(i)")])
        }
        raw.request(Self.unscheduledWatch, ["verb": "watch", "resource": "pods", "namespace": "default", "fieldSelector": "spec.nodeName=,status.phase=Pending"])
        let hub = await s.server.hub!
        try await eventuallyTrue(20) {
            hub.state.withLock { ($0.watchers["pods"]?.everyone ?? []).filter { $0.phase == .live }.count } == 1001
        }
        let examined = { hub.state.withLock { $0.examined } }
        var before = examined()

        // Bound at create: node-7's watcher hears of it, and nobody else is even asked.
        _ = try await s.client.create(.pods, namespace: "default", podObject("p7", node: "node-7"))
        _ = try await s.client.create(.pods, namespace: "default", podObject("p8", node: "node-8"))
        #expect(try await events(raw, until: 9) == ["8 ADDED p7", "9 ADDED p8"])
        #expect(examined() - before == 2)

        // Bound later: the watcher of unscheduled pods sees it leave, node-3's sees it come.
        before = examined()
        _ = try await s.client.create(.pods, namespace: "default", podObject("u", node: nil))
        #expect(try await events(raw, until: Self.unscheduledWatch) == ["1001 ADDED u"])
        try await s.client.bind(namespace: "default", name: "u", node: "node-3")
        _ = try await s.client.create(.pods, namespace: "default", podObject("p9", node: "node-9"))
        #expect(try await events(raw, until: 10) == ["10 ADDED p9", "1001 DELETED u", "4 ADDED u"])
        #expect(examined() - before == 4)

        // Status changes and deletion reach the same one watcher.
        _ = try await s.client.patch(.pods, namespace: "default", name: "p7", ["status": ["phase": "Running"]], status: true)
        try await s.client.delete(.pods, namespace: "default", name: "p7", gracePeriodSeconds: 0)
        _ = try await s.client.delete(.pods, namespace: "default", name: "p9", gracePeriodSeconds: 0)
        #expect(try await events(raw, until: 10) == ["10 DELETED p9", "8 DELETED p7", "8 MODIFIED p7"])

        // Lists select on the same fields.
        func names(_ selector: String) async throws -> [String] {
            try await s.client.list(.pods, fieldSelector: selector).items.compactMap { $0["metadata"]["name"].stringValue }.sorted()
        }
        _ = try await s.client.create(.pods, namespace: "default", podObject("other", node: nil) {
            $0[path: ["spec", "schedulerName"]] = "my-scheduler"
        })
        #expect(try await names("spec.nodeName=node-8") == ["p8"])
        #expect(try await names("spec.nodeName=node-3") == ["u"])
        #expect(try await names("spec.nodeName=") == ["other"])
        #expect(try await names("spec.nodeName!=node-8") == ["other", "u"])
        #expect(try await names("spec.schedulerName=my-scheduler") == ["other"])
        #expect(try await names("spec.schedulerName=default-scheduler,spec.nodeName!=") == ["p8", "u"])
        #expect(try await names("status.phase=Pending") == ["other", "p8", "u"])
        #expect(try await names("status.phase=Running") == [])
        await s.stop()
    }

    /// spec.nodeName is set at create or by a binding; an update or patch may not touch it.
    @Test func updatesMayNotSetOrChangeNodeName() async throws {
        let s = try await InProcessServer.start()
        _ = try await s.client.create(.pods, namespace: "default", podObject("bound", node: "n1"))
        _ = try await s.client.create(.pods, namespace: "default", podObject("free", node: nil))
        let message = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
        for (name, node) in [("bound", "n2"), ("free", "n1"), ("bound", "")] {
            var pod = try await s.client.get(.pods, namespace: "default", name: name)
            pod[path: ["spec", "nodeName"]] = .string(node)
            await #expect {
                _ = try await s.client.update(.pods, pod)
            } throws: {
                let e = $0 as? Status
                return e?.code == 422 && e?.message == "Pod \"\(name)\" is invalid: spec: Forbidden: \(message)"
            }
            await #expect {
                _ = try await s.client.patch(.pods, namespace: "default", name: name, ["spec": ["nodeName": .string(node)]])
            } throws: { ($0 as? Status)?.code == 422 }
        }
        // Through the status subresource the spec is not written at all.
        let viaStatus = try await s.client.patch(.pods, namespace: "default", name: "free", ["spec": ["nodeName": "n1"]], status: true)
        #expect(viaStatus["spec"]["nodeName"].isNull)
        #expect(try await s.client.get(.pods, namespace: "default", name: "bound")["spec"]["nodeName"] == "n1")
        #expect(try await s.client.get(.pods, namespace: "default", name: "free")["spec"]["nodeName"].isNull)
        await s.stop()
    }
}
