import Testing
@testable import apiserver

/// ControllerRevisions are validated as Kubernetes' ValidateControllerRevision(Update).
@Suite struct ControllerRevisionStrategyTests {
    static func revision(data: JSON = ["spec": ["x": 1]], revision: JSON = 1) -> JSON {
        var r: JSON = ["apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": ["name": "r"]]
        if !data.isNull { r["data"] = data }
        if !revision.isNull { r["revision"] = revision }
        return r
    }

    func createError(_ s: InProcessServer, _ r: JSON) async -> String? {
        do {
            _ = try await s.client.create(.controllerRevisions, namespace: "default", r)
            return nil
        } catch {
            return "\(error.code) \(error.message)"
        }
    }

    @Test func createRules() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let prefix = "422 ControllerRevision.apps \"r\" is invalid: "
        #expect(await createError(s, Self.revision(data: .null)) == prefix + "data: Required value: data is mandatory")
        #expect(await createError(s, Self.revision(revision: -1)) == prefix + "revision: Invalid value: -1: must be greater than or equal to 0")
        #expect(await createError(s, Self.revision(data: .null, revision: -2))
            == prefix + "[data: Required value: data is mandatory, revision: Invalid value: -2: must be greater than or equal to 0]")
        #expect(await createError(s, Self.revision(revision: .null))
            == "400 ControllerRevision in version \"v1\" cannot be handled as a ControllerRevision: revision: Required value")
        #expect(await createError(s, Self.revision(revision: "1"))
            == "400 ControllerRevision in version \"v1\" cannot be handled as a ControllerRevision: revision: expected integer, got string")
        #expect(try await s.client.list(.controllerRevisions, namespace: "default").items.isEmpty)
        // Any JSON is data; 0 is a revision.
        #expect(await createError(s, Self.revision(data: "raw", revision: 0)) == nil)
    }

    @Test func dataIsImmutableRevisionIsNot() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        _ = try await s.client.create(.controllerRevisions, namespace: "default", Self.revision())
        let renumbered = try await s.client.patch(.controllerRevisions, namespace: "default", name: "r", ["revision": 4])
        #expect(renumbered["revision"] == 4)
        do {
            _ = try await s.client.patch(.controllerRevisions, namespace: "default", name: "r", ["data": ["spec": ["x": 2]]])
            Issue.record("data changed")
        } catch {
            #expect("\(error.code) \(error.message)" == #"422 ControllerRevision.apps "r" is invalid: data: Invalid value: "{"spec":{"x":2}}": field is immutable"#)
        }
        #expect(try await s.client.get(.controllerRevisions, namespace: "default", name: "r")["data"] == ["spec": ["x": 1]])
    }

    @Test func servedInDiscovery() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let list = try await s.client.request(Request(verb: .discovery)).object
        let entry = (list["resources"].arrayValue ?? []).first { $0["name"] == "controllerrevisions" }
        #expect(entry?["kind"] == "ControllerRevision")
        #expect(entry?["group"] == "apps")
        #expect(entry?["namespaced"] == true)
        #expect(entry?["subresources"] == [])
    }
}
