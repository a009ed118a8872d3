import Foundation
import Testing
@testable import apiserver

/// What a kubelet (node token, `identity.node`) may do: its own Node and Lease, status and
/// deletion of pods bound to it, events; nothing else. Each case connects as a node.
@Suite(.serialized) struct NodeAuthorizationTests {
    func pod(_ name: String, node: String?) -> JSON {
        var spec: JSON = ["containers": [["name": "c", "image": "busybox"]]]
        if let node { spec["nodeName"] = .string(node) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": spec]
    }

    func lease(_ name: String) -> JSON {
        ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": .string(name)], "spec": ["holderIdentity": .string(name)]]
    }

    /// The status code of a failed call; 200 when it succeeded.
    func code(_ call: () async throws -> Void) async -> Int {
        do {
            try await call()
            return 200
        } catch {
            return (error as? Status)?.code ?? -1
        }
    }

    /// Runs `body` with a server and a client connected as node n1; always cleans up.
    func withNode(_ body: (InProcessServer, Client) async throws -> Void) async throws {
        let s = try await InProcessServer.start()
        let n1 = Client(config: ClientConfig(server: s.address, token: s.tokens.node, nodeName: "n1", clientName: "fake-kubelet"))
        do {
            try await body(s, n1)
        } catch {
            Issue.record(error)
        }
        n1.close()
        await s.stop()
    }

    @Test func nodeMayNotCreateOrCollectPods() async throws {
        try await withNode { s, n1 in
            _ = try await s.client.create(.pods, namespace: "default", pod("mine", node: "n1"))
            _ = try await s.client.create(.pods, namespace: "default", pod("theirs", node: "n2"))

            #expect(await code { _ = try await n1.create(.pods, namespace: "default", pod("evil", node: "n2")) } == 403)
            #expect(await code { _ = try await n1.create(.pods, namespace: "default", pod("evil", node: "n1")) } == 403)
            #expect(await code { _ = try await n1.create(.pods, namespace: "default", pod("evil", node: nil)) } == 403)
            // Naming a status subresource does not turn a create or deletecollection into a status write.
            var create = Request(verb: .create, resource: "pods", namespace: "default")
            create.subresource = "status"
            create.object = pod("evil", node: "n1")
            #expect(await code { _ = try await n1.request(create) } == 403)
            for sub in [nil, "status"] {
                var dc = Request(verb: .deletecollection, resource: "pods")
                dc.subresource = sub
                #expect(await code { _ = try await n1.request(dc) } == 403)
            }
            // ... and for the admin a create on the status subresource is not a thing either.
            #expect(await code { _ = try await s.client.request(create) } == 405)
            let left = try await s.client.list(.pods, namespace: "default").items.compactMap { $0["metadata"]["name"].stringValue }
            #expect(left.sorted() == ["mine", "theirs"])
        }
    }

    @Test func nodeWritesStatusOfAndDeletesOnlyItsOwnPods() async throws {
        try await withNode { s, n1 in
            _ = try await s.client.create(.pods, namespace: "default", pod("mine", node: "n1"))
            _ = try await s.client.create(.pods, namespace: "default", pod("theirs", node: "n2"))
            let running: JSON = ["status": ["phase": "Running"]]

            #expect(await code { _ = try await n1.patch(.pods, namespace: "default", name: "mine", running, status: true) } == 200)
            #expect(await code { _ = try await n1.patch(.pods, namespace: "default", name: "theirs", running, status: true) } == 403)
            var theirs = try await s.client.get(.pods, namespace: "default", name: "theirs")
            theirs["status"] = ["phase": "Failed"]
            #expect(await code { _ = try await n1.update(.pods, theirs, status: true) } == 403)
            // Spec writes are not for nodes, even of their own pods.
            #expect(await code { _ = try await n1.patch(.pods, namespace: "default", name: "mine", ["metadata": ["labels": ["a": "b"]]]) } == 403)
            #expect(try await s.client.get(.pods, namespace: "default", name: "mine")["status"]["phase"] == "Running")
            #expect(try await s.client.get(.pods, namespace: "default", name: "mine")["metadata"]["labels"].isNull)
            #expect(try await s.client.get(.pods, namespace: "default", name: "theirs")["status"]["phase"] != "Failed")
            #expect(await code { try await n1.delete(.pods, namespace: "default", name: "theirs") } == 403)
            // A bound, running pod is only marked by a delete; grace 0 (the kubelet's finalizing delete) removes it.
            #expect(await code { try await n1.delete(.pods, namespace: "default", name: "mine") } == 200)
            #expect(try await s.client.get(.pods, namespace: "default", name: "mine")["metadata"]["deletionGracePeriodSeconds"] == 30)
            #expect(await code { try await n1.delete(.pods, namespace: "default", name: "mine", gracePeriodSeconds: 0) } == 200)
            #expect(try await s.client.getIfPresent(.pods, namespace: "default", name: "mine") == nil)
            #expect(try await s.client.getIfPresent(.pods, namespace: "default", name: "theirs") != nil)
        }
    }

    @Test func nodeOwnsOnlyItsNodeAndLease() async throws {
        try await withNode { s, n1 in
            let other: JSON = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n2"]]
            #expect(await code { _ = try await n1.create(.nodes, other) } == 403)
            // The name checked is the one written: the object's, not the request's `name`.
            var sneaky = Request(verb: .create, resource: "nodes", name: "n1")
            sneaky.object = other
            #expect(await code { _ = try await n1.request(sneaky) } == 403)
            #expect(await code { _ = try await n1.create(.nodes, ["metadata": ["name": "n1"]]) } == 200)
            _ = try await s.client.create(.nodes, other)
            #expect(await code { _ = try await n1.patch(.nodes, name: "n2", ["metadata": ["labels": ["x": "y"]]]) } == 403)
            #expect(await code { _ = try await n1.patch(.nodes, name: "n1", ["status": ["phase": "Running"]], status: true) } == 200)

            #expect(await code { _ = try await n1.create(.leases, namespace: "kube-node-lease", lease("n1")) } == 200)
            #expect(await code { _ = try await n1.create(.leases, namespace: "kube-node-lease", lease("n2")) } == 403)
            #expect(await code { _ = try await n1.create(.leases, namespace: "default", lease("n1")) } == 403)
            _ = try await s.client.create(.leases, namespace: "kube-node-lease", lease("n2"))

            #expect(await code { try await n1.delete(.leases, namespace: "kube-node-lease", name: "n2") } == 403)
            #expect(await code { try await n1.delete(.nodes, name: "n2") } == 403)
            #expect(await code { _ = try await n1.request(Request(verb: .deletecollection, resource: "leases", namespace: "kube-node-lease")) } == 403)
            #expect(await code { _ = try await n1.request(Request(verb: .deletecollection, resource: "nodes")) } == 403)
            #expect(await code { try await n1.delete(.leases, namespace: "kube-node-lease", name: "n1") } == 200)
            #expect(await code { try await n1.delete(.nodes, name: "n1") } == 200)
            #expect(try await s.client.getIfPresent(.nodes, name: "n2") != nil)
            #expect(try await s.client.getIfPresent(.leases, namespace: "kube-node-lease", name: "n2") != nil)
        }
    }

    @Test func nodeMayRecordEventsButNotDeleteThem() async throws {
        try await withNode { s, n1 in
            let event: JSON = ["apiVersion": "v1", "kind": "Event", "metadata": ["name": "e1"],
                               "involvedObject": ["kind": "Node", "name": "n1"], "reason": "Started", "message": "hi"]
            #expect(await code { _ = try await n1.create(.events, namespace: "default", event) } == 200)
            #expect(await code { _ = try await n1.patch(.events, namespace: "default", name: "e1", ["count": 2]) } == 200)
            #expect(await code { try await n1.delete(.events, namespace: "default", name: "e1") } == 403)
            #expect(await code { _ = try await n1.create(.configMaps, namespace: "default", cm("c")) } == 403)
            // The node token without a node name only reads.
            let anonymous = Client(config: ClientConfig(server: s.address, token: s.tokens.node, clientName: "reader"))
            defer { anonymous.close() }
            #expect(await code { _ = try await anonymous.list(.pods) } == 200)
            #expect(await code { _ = try await anonymous.create(.events, namespace: "default", event) } == 403)
        }
    }
}
