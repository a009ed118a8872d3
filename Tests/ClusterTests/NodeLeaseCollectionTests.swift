import Foundation
import Testing
import Wire

/// The kubelet's Lease in `kube-node-lease` is owned by its Node (cluster-scoped): the hub's
/// garbage collector keeps it while the Node exists and collects it once the Node is deleted.
@Suite(.serialized) struct NodeLeaseCollectionTests {
    @Test func aNodesLeaseLivesAsLongAsItsNode() async throws {
        let f = try Fixture()
        defer { f.close() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        let sim = try SimulatedPodTests.Simulator(f, nodes: 2)
        defer { sim.stop() }
        try await SimulatedPodTests.waitForNodes(admin, 2)
        let nodes = try await admin.list(.nodes).items
        for node in nodes {
            let name = node["metadata"]["name"].stringValue ?? ""
            try await eventually(10, "lease of \(name)") { try await admin.getIfPresent(.leases, namespace: "kube-node-lease", name: name) != nil }
            let lease = try await admin.get(.leases, namespace: "kube-node-lease", name: name)
            #expect(lease["metadata"]["ownerReferences"] == [["apiVersion": "v1", "kind": "Node", "name": .string(name), "uid": node["metadata"]["uid"]]])
        }
        // With the collector synced and at work, the leases are all still there seconds later.
        try await Task.sleep(for: .seconds(3))
        #expect(try await admin.list(.leases, namespace: "kube-node-lease").items.count == 2)
        // Without its kubelet (which would register the node again), the node is deleted: its lease goes.
        sim.stop()
        let gone = nodes[0]["metadata"]["name"].stringValue ?? "", kept = nodes[1]["metadata"]["name"].stringValue ?? ""
        #expect(try f.ctl.ok(["delete", "node", gone]) == "node \"\(gone)\" deleted\n")
        try await eventually(10, "lease of \(gone) collected") {
            try await admin.getIfPresent(.leases, namespace: "kube-node-lease", name: gone) == nil
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await admin.getIfPresent(.leases, namespace: "kube-node-lease", name: kept) != nil)
    }
}
