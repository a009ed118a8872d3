import Foundation
import Logging
import Testing
@testable import apiserver

/// Namespace deletion as Kubernetes does it: the system namespaces stay, finalizers only
/// shrink once deletion began, and the namespace controller removes only its own finalizer.
@Suite(.serialized) struct NamespaceTests {
    @Test func systemNamespacesMayNotBeDeleted() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        _ = try await c.create(.configMaps, namespace: "default", cm("kept"))
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            await #expect { try await c.delete(.namespaces, name: name) } throws: {
                let st = $0 as? Status
                return st?.code == 403 && st?.reason == "Forbidden" && st?.message == "namespaces \"\(name)\" is forbidden: this namespace may not be deleted"
            }
        }
        // A collection delete passes over them and deletes (here: begins deleting) the rest.
        _ = try await c.create(.namespaces, ["metadata": ["name": "scratch"]])
        let deleted = try await c.request(Request(verb: .deletecollection, resource: "namespaces")).object
        #expect(deleted["items"].arrayValue?.compactMap { $0["metadata"]["name"].stringValue } == ["scratch"])
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let ns = try await c.get(.namespaces, name: name)
            #expect(ns["metadata"]["deletionTimestamp"].isNull && ns["status"]["phase"] == "Active", "\(name)")
        }
        #expect(try await c.getIfPresent(.configMaps, namespace: "default", name: "kept") != nil)
        await s.stop()
    }

    @Test func terminatingNamespaceKeepsOtherFinalizers() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        _ = try await c.create(.namespaces, ["metadata": ["name": "t"], "spec": ["finalizers": ["kubernetes", "x.io/y"]]])
        _ = try await c.create(.configMaps, namespace: "t", cm("inside"))
        _ = try await c.delete(.namespaces, name: "t")
        // No new spec.finalizers once terminating; nothing changes.
        await #expect { try await c.patch(.namespaces, name: "t", ["spec": ["finalizers": ["kubernetes", "x.io/y", "z.io/w"]]]) } throws: {
            ($0 as? Status)?.code == 403
        }
        #expect(try await c.get(.namespaces, name: "t")["spec"]["finalizers"] == ["kubernetes", "x.io/y"])

        let controller = NamespaceController(client: c, logger: Logger(label: "test"))
        var released = false
        for _ in 0..<50 where !released {
            released = try await controller.finalize("t")
            if !released { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(released)
        #expect(try await c.getIfPresent(.configMaps, namespace: "t", name: "inside") == nil)
        // Only the controller's own finalizer is gone; the third party's holds the namespace.
        let ns = try await c.get(.namespaces, name: "t")
        #expect(ns["spec"]["finalizers"] == ["x.io/y"])
        #expect(ns["status"]["phase"] == "Terminating")
        _ = try await c.patch(.namespaces, name: "t", ["spec": ["finalizers": .null]])
        #expect(try await c.getIfPresent(.namespaces, name: "t") == nil)
        await s.stop()
    }

    /// Without the namespace index every namespaced create would 404; a store whose
    /// namespaces cannot be read refuses to open, saying why.
    @Test func unreadableNamespaceFailsTheStart() throws {
        let dir = NSTemporaryDirectory() + "skiff-nsindex-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/skiff.db"
        let db = try DatabaseSchema.openWriter(path: path)
        try db.exec("INSERT INTO log (rev, key, op, value, prev_rev) VALUES (1, '/registry/namespaces/broken', 1, x'6e6f74206a736f6e', 0)")
        db.resetAll()
        #expect {
            _ = try Store(path: path) { _ in }
        } throws: {
            let st = $0 as? Status
            return st?.code == 500 && st?.message.contains("cannot load the namespace index: namespace /registry/namespaces/broken at revision 1 cannot be read") == true
        }
    }
}

@Suite struct NodeHeartbeatsTests {
    func lease(_ name: String, _ renew: String) -> JSON { ["metadata": ["name": .string(name)], "spec": ["renewTime": .string(renew)]] }

    @Test func deletedNodesAreForgotten() {
        var h = NodeHeartbeats()
        h.observe(leases: [lease("a", "t1"), lease("b", "t1")], now: 100)
        do { let stale = h.isStale("a", now: 130, grace: 40); #expect(!stale) }
        do { let stale = h.isStale("b", now: 150, grace: 40); #expect(stale) }
        h.observe(leases: [lease("a", "t2")], now: 150)
        do { let stale = h.isStale("a", now: 160, grace: 40); #expect(!stale) }
        // Node b and its Lease were deleted, c never had one: only current Nodes stay.
        h.prune(keeping: ["a"])
        #expect(h.count == 1)
        for i in 0..<1000 { h.observe(leases: [lease("gone\(i)", "t")], now: 200) }
        h.prune(keeping: ["a"])
        #expect(h.count == 1)
    }
}
