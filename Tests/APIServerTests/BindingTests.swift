import Foundation
import Testing
import TestSupport
@testable import apiserver

/// `pods/binding`, as Kubernetes' BindingREST.
@Suite(.serialized) struct BindingTests {
    func binding(_ pod: String, to node: String, annotations: JSON? = nil) -> JSON {
        var meta: JSON = ["name": .string(pod), "namespace": "default"]
        if let annotations { meta["annotations"] = annotations }
        return ["apiVersion": "v1", "kind": "Binding", "metadata": meta, "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)]]
    }

    func bindRequest(_ id: Int, _ pod: String, _ object: JSON, dryRun: Bool = false) -> JSON {
        var r: JSON = ["verb": "create", "resource": "pods", "subresource": "binding", "namespace": "default", "name": .string(pod), "object": object]
        if dryRun { r["dryRun"] = ["All"] }
        return r
    }

    /// Runs `body` with a fresh server; always stops it.
    func withServer(_ body: (InProcessServer) async throws -> Void) async throws {
        let s = try await InProcessServer.start()
        do { try await body(s) } catch { Issue.record(error) }
        await s.stop()
    }

    @Test func bindingAssignsAnUnassignedPodOnce() async throws {
        try await withServer { s in
            _ = try await s.client.create(.pods, namespace: "default", podObject("p", node: nil))
            // A scheduler that failed before wrote PodScheduled=False; the binding replaces it.
            _ = try await s.client.patch(.pods, namespace: "default", name: "p", ["status": ["conditions": [
                ["type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes are available",
                 "lastTransitionTime": "2026-01-01T00:00:00Z"]]]], status: true)
            let raw = try RawPeer(s.address, token: s.tokens.admin)
            let dry = raw.call(1, bindRequest(1, "p", binding("p", to: "n1"), dryRun: true))
            #expect(dry?["object"] == ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
            #expect(try await s.client.get(.pods, namespace: "default", name: "p")["spec"]["nodeName"].isNull)

            let answer = raw.call(2, bindRequest(2, "p", binding("p", to: "n1", annotations: ["scheduler.example/score": "7"])))
            #expect(answer?["object"] == ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
            let pod = try await s.client.get(.pods, namespace: "default", name: "p")
            #expect(pod["spec"]["nodeName"] == "n1")
            #expect(pod["metadata"]["annotations"] == ["scheduler.example/score": "7"])
            let conditions = pod["status"]["conditions"].arrayValue ?? []
            #expect(conditions.count == 1)
            #expect(conditions.first?["type"] == "PodScheduled" && conditions.first?["status"] == "True")
            #expect(conditions.first?["reason"].isNull == true && conditions.first?["message"].isNull == true)
            #expect(conditions.first?["lastTransitionTime"].stringValue?.hasPrefix("20") == true)
            #expect(conditions.first?["lastTransitionTime"] != "2026-01-01T00:00:00Z")
            #expect(pod["status"]["phase"] == "Pending")

            let again = raw.call(3, bindRequest(3, "p", binding("p", to: "n2")))
            #expect(again?["error"]["code"] == 409)
            #expect(again?["error"]["reason"] == "Conflict")
            #expect(again?["error"]["message"] == "Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"n1\"")
            #expect(try await s.client.get(.pods, namespace: "default", name: "p")["spec"]["nodeName"] == "n1")

            let absent = raw.call(4, bindRequest(4, "nope", binding("nope", to: "n1")))
            #expect(absent?["error"]["code"] == 404 && absent?["error"]["message"] == "pods \"nope\" not found")
        }
    }

    @Test func aPodBeingDeletedOrAStalePreconditionIsNotBound() async throws {
        try await withServer { s in
            _ = try await s.client.create(.pods, namespace: "default", podObject("going", node: nil) {
                $0[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            })
            try await s.client.delete(.pods, namespace: "default", name: "going")
            await #expect {
                try await s.client.bind(namespace: "default", name: "going", node: "n1")
            } throws: {
                let e = $0 as? Status
                return e?.code == 409 && e?.message == "Operation cannot be fulfilled on pods/binding \"going\": pod going is being deleted, cannot be assigned to a host"
            }
            _ = try await s.client.create(.pods, namespace: "default", podObject("p", node: nil))
            await #expect {
                try await s.client.bind(namespace: "default", name: "p", node: "n1", uid: "not-the-uid")
            } throws: {
                let e = $0 as? Status
                return e?.code == 409 && e?.message.hasPrefix("Operation cannot be fulfilled on pods \"p\": Precondition failed: UID in precondition: not-the-uid, UID in object meta: ") == true
            }
            let uid = try await s.client.get(.pods, namespace: "default", name: "p")["metadata"]["uid"].stringValue
            try await s.client.bind(namespace: "default", name: "p", node: "n1", uid: uid)
            #expect(try await s.client.get(.pods, namespace: "default", name: "p")["spec"]["nodeName"] == "n1")
        }
    }

    @Test func badBindingsAreRefusedAndChangeNothing() async throws {
        try await withServer { s in
            _ = try await s.client.create(.pods, namespace: "default", podObject("p", node: nil))
            let raw = try RawPeer(s.address, token: s.tokens.admin)
            var noTarget = binding("p", to: "")
            noTarget["target"] = ["kind": "Pod"]
            var wrongKind = binding("p", to: "n1")
            wrongKind["kind"] = "Pod"
            let cases: [(JSON, Int, String)] = [
                (bindRequest(1, "p", binding("q", to: "n1")), 400, "name in URL does not match name in Binding object"),
                (bindRequest(1, "p", noTarget), 422,
                 "Binding \"p\" is invalid: [target.kind: Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\", target.name: Required value]"),
                (bindRequest(1, "p", wrongKind), 400, "the kind \"Pod\" does not match the resource \"pods/binding\" (kind Binding)"),
                (bindRequest(1, "p", binding("p", to: "n1", annotations: ["bad key!": "x"])), 422,
                 "Binding \"p\" is invalid: metadata.annotations: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"),
                (["verb": "get", "resource": "pods", "subresource": "binding", "namespace": "default", "name": "p"], 405,
                 "get is not allowed on pods/binding; it takes create"),
                (["verb": "update", "resource": "pods", "subresource": "binding", "namespace": "default", "name": "p", "object": binding("p", to: "n1")], 405,
                 "update is not allowed on pods/binding; it takes create"),
                (["verb": "create", "resource": "pods", "subresource": "status", "namespace": "default", "name": "p", "object": binding("p", to: "n1")], 405,
                 "create is not allowed on pods/status; it takes get, update and patch"),
                (["verb": "create", "resource": "nodes", "subresource": "binding", "name": "p", "object": binding("p", to: "n1")], 404,
                 "the server could not find the requested resource (nodes/binding)"),
            ]
            for (i, (req, code, message)) in cases.enumerated() {
                let r = raw.call(i + 1, req)
                #expect(r?["error"]["code"] == .int(code) && r?["error"]["message"] == .string(message), "\(String(describing: r))")
            }
            let pod = try await s.client.get(.pods, namespace: "default", name: "p")
            #expect(pod["spec"]["nodeName"].isNull && pod["status"]["conditions"].isNull && pod["metadata"]["annotations"].isNull)
            // Discovery names the subresource.
            let pods = try await s.client.request(Request(verb: .discovery)).object["resources"].arrayValue?.first { $0["name"] == "pods" }
            #expect(pods?["subresources"] == ["status", "binding"])
        }
    }

    @Test func onlyTheAdminBinds() async throws {
        try await withServer { s in
            _ = try await s.client.create(.pods, namespace: "default", podObject("p", node: nil))
            for (node, user) in [("n1", "system:node:n1"), (nil, "system:nodes")] {
                let c = Client(config: ClientConfig(server: s.address, token: s.tokens.node, nodeName: node, clientName: "kubelet"))
                defer { c.close() }
                await #expect {
                    try await c.bind(namespace: "default", name: "p", node: "n1")
                } throws: {
                    let e = $0 as? Status
                    return e?.code == 403 && e?.message == "pods \"p\" is forbidden: User \"\(user)\" cannot create resource \"pods/binding\" in API group \"\" in the namespace \"default\""
                }
            }
            #expect(try await s.client.get(.pods, namespace: "default", name: "p")["spec"]["nodeName"].isNull)
        }
    }
}
