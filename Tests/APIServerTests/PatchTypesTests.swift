import Foundation
import Testing
@testable import apiserver

/// `patchType` `merge`, `json` (RFC 6902) and `strategic`, applied to the stored object.
@Suite(.serialized) struct PatchTypesTests {
    func patch(_ s: InProcessServer, _ type: String, _ patch: JSON, resource: String = "configmaps", name: String = "a") async throws(Status) -> JSON {
        var r = Request(verb: .patch, resource: resource, namespace: "default", name: name)
        r.patch = patch
        r.patchType = type
        return try await s.client.request(r).object
    }

    @Test func jsonAndStrategicPatchesAreApplied() async throws {
        let s = try await InProcessServer.start()
        _ = try await s.client.create(.configMaps, namespace: "default", cm("a", data: ["k": "1", "gone": "x"]))
        let j = try await patch(s, "json", [["op": "replace", "path": "/data/k", "value": "2"], ["op": "remove", "path": "/data/gone"],
                                            ["op": "add", "path": "/metadata/labels", "value": ["app": "web"]]])
        #expect(j["data"] == ["k": "2"] && j["metadata"]["labels"] == ["app": "web"])
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                         "spec": ["containers": [["name": "a", "image": "busybox"], ["name": "b", "image": "busybox"]]]]
        _ = try await s.client.create(.pods, namespace: "default", pod)
        let st = try await patch(s, "strategic", ["spec": ["containers": [["name": "b", "image": "alpine"]]]], resource: "pods", name: "p")
        #expect(st["spec"]["containers"].arrayValue?.map { "\($0["name"].stringValue ?? ""):\($0["image"].stringValue ?? "")" } == ["a:busybox", "b:alpine"])
        await s.stop()
    }

    @Test func failedOrUnknownPatchesChangeNothing() async throws {
        let s = try await InProcessServer.start()
        let a = try await s.client.create(.configMaps, namespace: "default", cm("a", data: ["k": "1"]))
        let cases: [(String, JSON, Int, String)] = [
            ("json", [["op": "add", "path": "/data/n", "value": "v"], ["op": "test", "path": "/data/k", "value": "9"]], 422,
             "request is invalid: json patch operation 1: test failed: the value at /data/k is not \"9\""),
            ("json", ["op": "add"], 400, "a json patch must be a JSON array of operations"),
            ("strategic", ["data": ["k": "2"], "$patch": "frob"], 400,
             "strategic merge patch: unknown $patch directive \"frob\"; supported: replace, delete, merge"),
            ("apply", ["data": ["k": "2"]], 415,
             "the patch type \"apply\" is not supported; Skiff takes \"merge\" (RFC 7386), \"json\" (RFC 6902) and \"strategic\""),
            ("merge", ["metadata": ["name": "b"]], 400, "the name of the object (b) does not match the name on the URL (a)"),
            ("strategic", ["$patch": "replace", "data": ["k": "2"]], 400, "the name of the object () does not match the name on the URL (a)"),
            ("merge", ["metadata": ["namespace": "other"]], 400, "the namespace of the provided object does not match the namespace sent on the request"),
            ("json", [["op": "replace", "path": "/metadata/resourceVersion", "value": "1"]], 409,
             "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again"),
        ]
        for (type, p, code, message) in cases {
            await #expect { _ = try await patch(s, type, p) } throws: {
                ($0 as? Status)?.code == code && ($0 as? Status)?.message == message
            }
        }
        // An update naming another namespace is refused alike.
        var moved = a
        moved[path: ["metadata", "namespace"]] = "other"
        var put = Request(verb: .update, resource: "configmaps", namespace: "default", name: "a")
        put.object = moved
        await #expect { _ = try await s.client.request(put) } throws: {
            ($0 as? Status)?.code == 400
                && ($0 as? Status)?.message == "the namespace of the provided object does not match the namespace sent on the request"
        }
        #expect(try await s.client.get(.configMaps, namespace: "default", name: "a") == a)
        await s.stop()
    }

    /// An empty resourceVersion in the patched object asks for no precondition (Kubernetes).
    @Test func emptyResourceVersionIsNoPrecondition() async throws {
        let s = try await InProcessServer.start()
        _ = try await s.client.create(.configMaps, namespace: "default", cm("a", data: ["k": "1"]))
        let j = try await patch(s, "json", [["op": "replace", "path": "/metadata/resourceVersion", "value": ""],
                                            ["op": "replace", "path": "/data/k", "value": "2"]])
        #expect(j["data"] == ["k": "2"])
        await s.stop()
    }
}
