import Testing
@testable import apiserver

/// The `scale` subresource of ReplicaSets and Deployments: an autoscaling/v1 Scale view
/// whose writes change only `spec.replicas`.
@Suite(.serialized) struct ScaleSubresourceTests {
    static func scaleRequest(_ verb: Verb, _ resource: String, _ name: String) -> Request {
        var req = Request(verb: verb, resource: resource, namespace: "default", name: name)
        req.subresource = "scale"
        return req
    }

    func send(_ s: InProcessServer, _ req: Request) async throws(Status) -> JSON { try await s.client.request(req).object }

    /// The Scale without the object's identity fields (checked separately).
    static func body(_ scale: JSON, of object: JSON) -> JSON {
        let m = object["metadata"]
        #expect(scale["metadata"] == ["name": m["name"], "namespace": "default", "uid": m["uid"], "resourceVersion": scale["metadata"]["resourceVersion"],
                                      "creationTimestamp": m["creationTimestamp"]])
        var out = scale
        out["metadata"] = .null
        return out
    }

    @Test func scaleReadsAndWritesOnlyReplicas() async throws {
        let s = try await InProcessServer.start()
        do {
            let rs = try await s.client.create(.replicaSets, namespace: "default", ReplicaSetControllerTests.replicaSet("frontend", replicas: 3))
            let got = try await send(s, Self.scaleRequest(.get, "replicasets", "frontend"))
            #expect(Self.body(got, of: rs) == ["kind": "Scale", "apiVersion": "autoscaling/v1", "spec": ["replicas": 3],
                                               "status": ["replicas": 0, "selector": "tier=frontend"]])
            #expect(got["metadata"]["resourceVersion"] == rs["metadata"]["resourceVersion"])

            var patch = Self.scaleRequest(.patch, "replicasets", "frontend")
            patch.patch = ["spec": ["replicas": 5]]
            patch.patchType = "merge"
            let patched = try await send(s, patch)
            #expect(Self.body(patched, of: rs) == ["kind": "Scale", "apiVersion": "autoscaling/v1", "spec": ["replicas": 5],
                                                   "status": ["replicas": 0, "selector": "tier=frontend"]])
            let after = try await s.client.get(.replicaSets, namespace: "default", name: "frontend")
            #expect(after["spec"]["replicas"] == 5)
            #expect(after["metadata"]["generation"] == 2)
            #expect(after["spec"]["template"] == rs["spec"]["template"])

            // An update at a stale resourceVersion conflicts; at the current one it scales (to 0: spec.replicas left out).
            var stale = Self.scaleRequest(.update, "replicasets", "frontend")
            stale.object = ["apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": ["name": "frontend", "resourceVersion": got["metadata"]["resourceVersion"]],
                            "spec": ["replicas": 1]]
            do {
                _ = try await send(s, stale)
                Issue.record("a stale update was accepted")
            } catch {
                #expect(error.code == 409)
                #expect(error.message == "Operation cannot be fulfilled on replicasets.apps \"frontend\": the object has been modified; please apply your changes to the latest version and try again")
            }
            var update = stale
            update.object = ["apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": ["name": "frontend", "resourceVersion": patched["metadata"]["resourceVersion"]],
                             "spec": ["replicas": 0]]
            let zero = try await send(s, update)
            #expect(zero["spec"] == [:])
            #expect(try await s.client.get(.replicaSets, namespace: "default", name: "frontend")["spec"]["replicas"] == 0)

            // Bad input: refused, nothing changes.
            update.object = ["apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": ["name": "frontend"], "spec": ["replicas": -1]]
            do {
                _ = try await send(s, update)
                Issue.record("negative replicas were accepted")
            } catch {
                #expect(error.code == 422)
                #expect(error.message == "Scale.autoscaling \"frontend\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0")
            }
            do {
                _ = try await send(s, Self.scaleRequest(.get, "pods", "frontend"))
                Issue.record("pods/scale was served")
            } catch {
                #expect(error.code == 404)
                #expect(error.message == "the server could not find the requested resource (pods/scale)")
            }
            do {
                _ = try await send(s, Self.scaleRequest(.delete, "replicasets", "frontend"))
                Issue.record("delete on scale was served")
            } catch {
                #expect(error.code == 405)
                #expect(error.message == "delete is not allowed on replicasets/scale; it takes get, update and patch")
            }
            #expect(try await s.client.get(.replicaSets, namespace: "default", name: "frontend")["metadata"]["generation"] == 3)

            // Discovery names the subresource.
            let resources = try await s.client.request(Request(verb: .discovery)).object["resources"].arrayValue ?? []
            #expect(resources.first { $0["name"] == "replicasets" }?["subresources"] == ["status", "scale"])
            #expect(resources.first { $0["name"] == "deployments" }?["subresources"] == ["status", "scale"])
            #expect(resources.first { $0["name"] == "jobs" }?["subresources"] == ["status"])

            // Deployments scale the same way.
            var d = ReplicaSetControllerTests.replicaSet("web", replicas: 2)
            d["kind"] = "Deployment"
            _ = try await s.client.create(.deployments, namespace: "default", d)
            var dpatch = Self.scaleRequest(.patch, "deployments", "web")
            dpatch.patch = ["spec": ["replicas": 4]]
            #expect(try await send(s, dpatch)["spec"] == ["replicas": 4])
            #expect(try await s.client.get(.deployments, namespace: "default", name: "web")["spec"]["replicas"] == 4)
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    /// A Deployment's scale takes patches through the same code as a plain patch: json and
    /// merge patches scale it; a patch whose result is no Scale, or whose replicas is no
    /// integer, and a stale resourceVersion are refused and change nothing.
    @Test func scalePatchesShareThePatchRules() async throws {
        let s = try await InProcessServer.start()
        do {
            var d = ReplicaSetControllerTests.replicaSet("web", replicas: 2)
            d["kind"] = "Deployment"
            let created = try await s.client.create(.deployments, namespace: "default", d)

            var json = Self.scaleRequest(.patch, "deployments", "web")
            json.patch = [["op": "replace", "path": "/spec/replicas", "value": 6]]
            json.patchType = "json"
            #expect(try await send(s, json)["spec"] == ["replicas": 6])
            var merge = Self.scaleRequest(.patch, "deployments", "web")
            merge.patch = ["spec": ["replicas": 3]]
            merge.patchType = "merge"
            #expect(try await send(s, merge)["spec"] == ["replicas": 3])
            let scaled = try await s.client.get(.deployments, namespace: "default", name: "web")
            #expect(scaled["spec"]["replicas"] == 3)
            #expect(scaled["metadata"]["generation"] == 3)

            let refused: [(String, JSON, Int, String)] = [
                ("strategic", ["spec": "x"], 400, "Scale in version \"v1\" cannot be handled as a Scale: spec: expected object, got string"),
                ("strategic", ["spec": ["replicas": "5"]], 400,
                 "Scale in version \"v1\" cannot be handled as a Scale: spec.replicas: expected integer, got string"),
                ("strategic", ["spec": ["replicas": 3000000000]], 400,
                 "Scale in version \"v1\" cannot be handled as a Scale: spec.replicas: 3000000000 is not a 32-bit integer"),
                ("strategic", ["$patch": "delete"], 400, "the name of the object () does not match the name on the URL (web)"),
                ("strategic", [["spec": ["replicas": 5]]], 400, "a strategic patch must be a JSON object"),
                ("json", [["op": "replace", "path": "", "value": 5]], 400, "the object must be a JSON object"),
                ("merge", ["metadata": ["resourceVersion": created["metadata"]["resourceVersion"]], "spec": ["replicas": 5]], 409,
                 "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again"),
                ("merge", ["metadata": ["uid": "not-the-uid"], "spec": ["replicas": 5]], 409,
                 "Operation cannot be fulfilled on deployments.apps \"web\": Precondition failed: UID in precondition: not-the-uid, UID in object meta: \(created["metadata"]["uid"].stringValue ?? "")"),
            ]
            for (type, patch, code, message) in refused {
                var req = Self.scaleRequest(.patch, "deployments", "web")
                req.patch = patch
                req.patchType = type
                await #expect { _ = try await send(s, req) } throws: {
                    ($0 as? Status)?.code == code && ($0 as? Status)?.message == message
                }
            }
            var stale = Self.scaleRequest(.update, "deployments", "web")
            stale.object = ["apiVersion": "autoscaling/v1", "kind": "Scale",
                            "metadata": ["name": "web", "resourceVersion": created["metadata"]["resourceVersion"]], "spec": ["replicas": 5]]
            await #expect { _ = try await send(s, stale) } throws: {
                ($0 as? Status)?.code == 409 && ($0 as? Status)?.message
                    == "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again"
            }
            var badType = stale
            badType.object = ["apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": ["name": "web"], "spec": ["replicas": "5"]]
            await #expect { _ = try await send(s, badType) } throws: {
                ($0 as? Status)?.code == 400
                    && ($0 as? Status)?.message == "Scale in version \"v1\" cannot be handled as a Scale: spec.replicas: expected integer, got string"
            }
            #expect(try await s.client.get(.deployments, namespace: "default", name: "web") == scaled)
        } catch { Issue.record("\(error)") }
        await s.stop()
    }
}
