import Foundation
import Testing
import TestSupport
@testable import apiserver

/// `dryRun: ["All"]` runs every check of a write and writes nothing.
@Suite(.serialized) struct DryRunTests {
    /// Names and resourceVersions of the configmaps in `default`, and the store's revision.
    func snapshot(_ s: InProcessServer) async throws -> ([String], Int64) {
        let items = try await s.client.list(.configMaps, namespace: "default").items
        return (items.map { "\($0["metadata"]["name"].stringValue ?? "")@\($0["metadata"]["resourceVersion"].stringValue ?? "")" }.sorted(),
                await s.store.revision)
    }

    func dry(_ verb: Verb, name: String? = nil, _ fill: (inout Request) -> Void = { _ in }) -> Request {
        var r = Request(verb: verb, resource: "configmaps", namespace: "default", name: name)
        r.dryRun = true
        fill(&r)
        return r
    }

    @Test func everyWriteVerbLeavesTheStoreUnchanged() async throws {
        let s = try await InProcessServer.start()
        let a = try await s.client.create(.configMaps, namespace: "default", cm("a", data: ["k": "1"]))
        var held = cm("held")
        held[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        _ = try await s.client.create(.configMaps, namespace: "default", held)
        let before = try await snapshot(s)

        // create: the object as it would be stored, uid and creationTimestamp set, no resourceVersion.
        let created = try await s.client.request(dry(.create) { $0.object = cm("new", data: ["x": "y"]) }).object
        #expect(created["metadata"]["name"] == "new" && created["metadata"]["namespace"] == "default")
        #expect(created["metadata"]["uid"].stringValue?.count == 36)
        #expect(created["metadata"]["creationTimestamp"].stringValue != nil)
        #expect(created["metadata"]["resourceVersion"].isNull)
        #expect(created["data"] == ["x": "y"])

        // update and patch: the new object at the current resourceVersion.
        var changed = a
        changed["data"] = ["k": "2"]
        let updated = try await s.client.request(dry(.update, name: "a") { $0.object = changed }).object
        #expect(updated["data"] == ["k": "2"] && updated["metadata"]["resourceVersion"] == a["metadata"]["resourceVersion"])
        let patched = try await s.client.request(dry(.patch, name: "a") {
            $0.patch = ["data": ["k": "3"]]
            $0.patchType = "merge"
        }).object
        #expect(patched["data"] == ["k": "3"] && patched["metadata"]["resourceVersion"] == a["metadata"]["resourceVersion"])

        // delete: the object as it stands; one held by a finalizer comes back marked.
        let deleted = try await s.client.request(dry(.delete, name: "a")).object
        #expect(deleted["data"] == ["k": "1"] && deleted["metadata"]["resourceVersion"] == a["metadata"]["resourceVersion"])
        let marked = try await s.client.request(dry(.delete, name: "held")).object
        #expect(marked["metadata"]["deletionTimestamp"].stringValue != nil)
        let all = try await s.client.request(Request(verb: .deletecollection, resource: "configmaps", namespace: "default").with { $0.dryRun = true }).object
        #expect(all["items"].arrayValue?.count == 2)

        #expect(try await snapshot(s) == before)
        #expect(try await s.client.get(.configMaps, namespace: "default", name: "held")["metadata"]["deletionTimestamp"].isNull)
        await s.stop()
    }

    @Test func checksStillRunAndFailAsTheWriteWould() async throws {
        let s = try await InProcessServer.start()
        let a = try await s.client.create(.configMaps, namespace: "default", cm("a"))
        let before = try await snapshot(s)
        let cases: [(Request, Int)] = [
            (dry(.create) { $0.object = cm("a") }, 409),
            (dry(.create) { $0.object = cm("Bad_Name") }, 422),
            (dry(.create) { $0.object = cm("x"); $0.namespace = "nowhere" }, 404),
            (dry(.update, name: "a") { var o = a; o[path: ["metadata", "resourceVersion"]] = "1"; $0.object = o }, 409),
            (dry(.patch, name: "missing") { $0.patch = ["data": ["k": "v"]]; $0.patchType = "merge" }, 404),
            (dry(.delete, name: "a") { $0.preconditionUID = "not-the-uid" }, 409),
            (Request(verb: .delete, resource: "namespaces", name: "default").with { $0.dryRun = true }, 403),
        ]
        for (req, code) in cases {
            await #expect { _ = try await s.client.request(req) } throws: { ($0 as? Status)?.code == code }
        }
        #expect(try await snapshot(s) == before)
        await s.stop()
    }

    @Test func badDryRunValuesAre400AndWriteNothing() async throws {
        let s = try await InProcessServer.start()
        let before = try await snapshot(s)
        let raw = try RawPeer(s.address, token: s.tokens.admin)
        let create: JSON = ["verb": "create", "resource": "configmaps", "namespace": "default", "object": cm("c")]
        let cases: [(JSON, String)] = [
            ("All", "request.dryRun must be an array of strings, got string"),
            (true, "request.dryRun must be an array of strings, got boolean"),
            (["all"], "Invalid dry run value \"all\": the only supported value is \"All\""),
            (["All", "None"], "Invalid dry run value \"None\": the only supported value is \"All\""),
            ([1], "request.dryRun must be an array of strings, got an item of type number"),
        ]
        for (i, (value, message)) in cases.enumerated() {
            var m = create
            m["dryRun"] = value
            let r = raw.call(i + 1, m)
            #expect(r?["error"]["code"] == 400 && r?["error"]["message"] == .string(message), "\(String(describing: r))")
        }
        let get = raw.call(20, ["verb": "get", "resource": "configmaps", "namespace": "default", "name": "c", "dryRun": ["All"]])
        #expect(get?["error"]["message"] == "request.dryRun is not allowed for get; it applies to create, update, patch, delete, deletecollection")
        #expect(try await snapshot(s) == before)
        await s.stop()
    }
}

extension Request {
    func with(_ change: (inout Request) -> Void) -> Request {
        var r = self
        change(&r)
        return r
    }
}
