import Foundation
import Testing
import TestSupport
@testable import apiserver

/// What a kubelet (node token, `identity.node`) may read, as Kubernetes' node authorizer:
/// the pods bound to it, the ConfigMaps and Secrets they reference, Nodes, Leases,
/// Namespaces. Each case connects as node n1.
@Suite(.serialized) struct NodeReadAuthorizationTests {
    /// Pod "mine" on n1 references every kind of reference; "theirs" on n2 and the
    /// unscheduled "pending" reference others.
    func mine() -> JSON {
        podObject("mine", node: "n1") { p in
            p[path: ["spec", "volumes"]] = [["name": "v1", "configMap": ["name": "cm-vol"]], ["name": "v2", "secret": ["secretName": "s-vol"]]]
            p[path: ["spec", "imagePullSecrets"]] = [["name": "s-pull"]]
            p[path: ["spec", "initContainers"]] = [["name": "init", "image": "busybox", "envFrom": [["secretRef": ["name": "s-envfrom"]]]]]
            p[path: ["spec", "containers"]] = [["name": "c", "image": "busybox",
                                                "env": [["name": "A", "valueFrom": ["configMapKeyRef": ["name": "cm-env", "key": "a"]]],
                                                        ["name": "B", "valueFrom": ["secretKeyRef": ["name": "s-env", "key": "b"]]],
                                                        ["name": "C", "valueFrom": ["configMapKeyRef": ["name": "cm-missing", "key": "c", "optional": true]]]],
                                                "envFrom": [["configMapRef": ["name": "cm-envfrom"]]]]]
        }
    }

    func secret(_ name: String) -> JSON { ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name)], "stringData": ["k": "v"]] }

    /// The status code of a call; 200 when it succeeded.
    func code(_ call: () async throws -> Void) async -> Int {
        do {
            try await call()
            return 200
        } catch {
            return (error as? Status)?.code ?? -1
        }
    }

    func message(_ call: () async throws -> Void) async -> String {
        do {
            try await call()
            return "ok"
        } catch {
            return (error as? Status)?.message ?? "\(error)"
        }
    }

    func withCluster(_ body: (InProcessServer, Client) async throws -> Void) async throws {
        let s = try await InProcessServer.start()
        let n1 = Client(config: ClientConfig(server: s.address, token: s.tokens.node, nodeName: "n1", clientName: "fake-kubelet"))
        do {
            for c in ["cm-vol", "cm-env", "cm-envfrom", "cm-other", "cm-pending"] { _ = try await s.client.create(.configMaps, namespace: "default", cm(c)) }
            for c in ["s-vol", "s-env", "s-envfrom", "s-pull", "s-other", "s-theirs"] { _ = try await s.client.create(.secrets, namespace: "default", secret(c)) }
            _ = try await s.client.create(.pods, namespace: "default", mine())
            _ = try await s.client.create(.pods, namespace: "default", podObject("theirs", node: "n2") {
                $0[path: ["spec", "volumes"]] = [["name": "v", "secret": ["secretName": "s-theirs"]]]
            })
            _ = try await s.client.create(.pods, namespace: "default", podObject("pending", node: nil) {
                $0[path: ["spec", "volumes"]] = [["name": "v", "configMap": ["name": "cm-pending"]]]
            })
            try await body(s, n1)
        } catch {
            Issue.record(error)
        }
        n1.close()
        await s.stop()
    }

    @Test func nodeReadsOnlyPodsBoundToIt() async throws {
        try await withCluster { s, n1 in
            #expect(await code { _ = try await n1.get(.pods, namespace: "default", name: "mine") } == 200)
            let noRelation = "is forbidden: User \"system:node:n1\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\": no relationship found between node 'n1' and this object"
            for name in ["theirs", "pending", "absent"] {
                #expect(await message { _ = try await n1.get(.pods, namespace: "default", name: name) } == "pods \"\(name)\" \(noRelation)")
            }
            // Lists and watches must select the node's own pods.
            #expect(await message { _ = try await n1.list(.pods) }
                == "pods is forbidden: User \"system:node:n1\" cannot list resource \"pods\" in API group \"\" at the cluster scope: can only list/watch pods with spec.nodeName field selector")
            #expect(await message { _ = try await n1.list(.pods, namespace: "default", fieldSelector: "spec.nodeName=n2") }
                == "pods is forbidden: User \"system:node:n1\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\": can only list/watch pods with spec.nodeName field selector")
            #expect(await code { _ = try await n1.list(.pods, fieldSelector: "spec.nodeName!=n1") } == 403)
            let own = try await n1.list(.pods, fieldSelector: "spec.nodeName=n1").items.compactMap { $0["metadata"]["name"].stringValue }
            #expect(own == ["mine"])
            #expect(try await n1.list(.pods, namespace: "default", fieldSelector: "metadata.name=mine").items.count == 1)
            #expect(await code { _ = try await n1.list(.pods, namespace: "default", fieldSelector: "metadata.name=theirs") } == 403)

            var watch = Request(verb: .watch, resource: "pods")
            #expect(await code { _ = try await n1.watch(watch).first { _ in true } } == 403)
            watch.fieldSelector = "spec.nodeName=n1"
            let first = try await n1.watch(watch).first { _ in true }
            #expect(first?.object["metadata"]["name"] == "mine")
            // The binding makes "pending" the node's: readable at once.
            try await s.client.bind(namespace: "default", name: "pending", node: "n1")
            #expect(await code { _ = try await n1.get(.pods, namespace: "default", name: "pending") } == 200)
        }
    }

    @Test func nodeReadsOnlyConfigMapsAndSecretsItsPodsReference() async throws {
        try await withCluster { s, n1 in
            for name in ["cm-vol", "cm-env", "cm-envfrom"] {
                #expect(await code { _ = try await n1.get(.configMaps, namespace: "default", name: name) } == 200, "\(name)")
            }
            for name in ["s-vol", "s-env", "s-envfrom", "s-pull"] {
                #expect(await code { _ = try await n1.get(.secrets, namespace: "default", name: name) } == 200, "\(name)")
            }
            // Referenced but absent: allowed, so the answer is that it is not there.
            #expect(await code { _ = try await n1.get(.configMaps, namespace: "default", name: "cm-missing") } == 404)
            #expect(await message { _ = try await n1.get(.secrets, namespace: "default", name: "s-theirs") }
                == "secrets \"s-theirs\" is forbidden: User \"system:node:n1\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\": no relationship found between node 'n1' and this object")
            for name in ["cm-other", "cm-pending"] {
                #expect(await code { _ = try await n1.get(.configMaps, namespace: "default", name: name) } == 403, "\(name)")
            }
            #expect(await code { _ = try await n1.get(.secrets, namespace: "default", name: "s-other") } == 403)
            // One named object may be listed or watched (a kubelet's per-object watch); no more.
            #expect(try await n1.list(.secrets, namespace: "default", fieldSelector: "metadata.name=s-vol").items.count == 1)
            #expect(await message { _ = try await n1.list(.secrets, namespace: "default") }
                == "secrets is forbidden: User \"system:node:n1\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\": No Object name found")
            #expect(await message { _ = try await n1.list(.configMaps, fieldSelector: "metadata.name=cm-vol") }
                == "configmaps is forbidden: User \"system:node:n1\" cannot list resource \"configmaps\" in API group \"\" at the cluster scope: can only read namespaced object of this type")
            var watch = Request(verb: .watch, resource: "configmaps", namespace: "default")
            watch.fieldSelector = "metadata.name=cm-vol"
            #expect(try await n1.watch(watch).first { _ in true }?.object["metadata"]["name"] == "cm-vol")
            watch.fieldSelector = "metadata.name=cm-other"
            #expect(await code { _ = try await n1.watch(watch).first { _ in true } } == 403)

            // The graph follows the pods: a bound pod's references become readable, a
            // deleted pod's stop being readable.
            try await s.client.bind(namespace: "default", name: "pending", node: "n1")
            #expect(await code { _ = try await n1.get(.configMaps, namespace: "default", name: "cm-pending") } == 200)
            try await s.client.delete(.pods, namespace: "default", name: "mine", gracePeriodSeconds: 0)
            #expect(await code { _ = try await n1.get(.configMaps, namespace: "default", name: "cm-vol") } == 403)
            #expect(await code { _ = try await n1.get(.pods, namespace: "default", name: "mine") } == 403)
        }
    }

    @Test func nodeStillReadsNodesLeasesNamespacesButNotEvents() async throws {
        try await withCluster { s, n1 in
            _ = try await s.client.create(.nodes, ["metadata": ["name": "n2"]])
            _ = try await s.client.create(.leases, namespace: "kube-node-lease",
                                          ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "n2"]])
            #expect(await code { _ = try await n1.list(.nodes) } == 200)
            #expect(await code { _ = try await n1.get(.nodes, name: "n2") } == 200)
            #expect(await code { _ = try await n1.get(.leases, namespace: "kube-node-lease", name: "n2") } == 200)
            #expect(await code { _ = try await n1.list(.namespaces) } == 200)
            #expect(await code { _ = try await n1.request(Request(verb: .discovery)) } == 200)
            #expect(await code { _ = try await n1.request(Request(verb: .version)) } == 200)
            #expect(await message { _ = try await n1.list(.events, namespace: "default") }
                == "events is forbidden: User \"system:node:n1\" cannot list resource \"events\" in API group \"\" in the namespace \"default\"")
            // The node token without a node name reads everything, as before.
            let reader = Client(config: ClientConfig(server: s.address, token: s.tokens.node, clientName: "reader"))
            defer { reader.close() }
            #expect(try await reader.list(.pods).items.count == 3)
            #expect(await code { _ = try await reader.get(.secrets, namespace: "default", name: "s-other") } == 200)
            #expect(await code { _ = try await reader.list(.events) } == 200)
        }
    }

    /// After a restart the graph is rebuilt from the stored pods.
    @Test func theGraphSurvivesARestart() async throws {
        let s = try await InProcessServer.start()
        _ = try await s.client.create(.configMaps, namespace: "default", cm("cm-vol"))
        _ = try await s.client.create(.pods, namespace: "default", mine())
        s.client.close()
        await s.server.shutdown()
        var config = APIServerConfig()
        config.listen = HostPort(host: "127.0.0.1", port: 0)
        config.dataDir = s.dir
        config.controllers = false
        config.apiserverLoops = false
        let again = APIServer(config: config)
        let address = try await again.start()
        let n1 = Client(config: ClientConfig(server: address, token: s.tokens.node, nodeName: "n1", clientName: "fake-kubelet"))
        #expect(await code { _ = try await n1.get(.configMaps, namespace: "default", name: "cm-vol") } == 200)
        #expect(await code { _ = try await n1.get(.pods, namespace: "default", name: "mine") } == 200)
        let n2 = Client(config: ClientConfig(server: address, token: s.tokens.node, nodeName: "n2", clientName: "fake-kubelet"))
        #expect(await code { _ = try await n2.get(.configMaps, namespace: "default", name: "cm-vol") } == 403)
        n1.close()
        n2.close()
        await again.shutdown()
        try? FileManager.default.removeItem(atPath: s.dir)
    }
}
