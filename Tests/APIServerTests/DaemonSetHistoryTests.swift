import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// The daemonset controller's ControllerRevisions, against an in-process apiserver with one
/// Node object and no scheduler or kubelet (daemon pods stay Pending, pinned to the node).
@Suite(.serialized) struct DaemonSetHistoryTests {
    final class Setup: @unchecked Sendable {
        let server: InProcessServer
        let factory: SharedInformerFactory
        var run: Task<Void, Never>?
        var client: Client { server.client }

        init() async throws {
            server = try await InProcessServer.start()
            factory = SharedInformerFactory(client: server.client, clock: FakeClock(now: Timestamp.nowSeconds()))
            _ = try await server.client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]])
            // Ready: a node without the condition has the not-ready taint daemons do not tolerate at scheduling.
            _ = try await server.client.patch(.nodes, name: "n1", ["status": ["conditions": [["type": "Ready", "status": "True"]]]], status: true)
            let controller = DaemonSetController(client: server.client, logger: .init(label: "test"), events: nil)
            let f = factory
            run = Task { await controller.run(factory: f) }
            factory.start()
        }

        func stop() async {
            run?.cancel()
            factory.shutDown()
            await server.stop()
        }

        /// Name → revision number of the revisions in `default`.
        func revisions() async throws -> [String: Int] {
            var out: [String: Int] = [:]
            for r in try await client.list(.controllerRevisions, namespace: "default").items {
                out[r["metadata"]["name"].stringValue ?? ""] = r["revision"].intValue
            }
            return out
        }

        /// The hash labels of the live pods.
        func podHashes() async throws -> [String] {
            try await client.list(.pods, namespace: "default").items.filter { $0["metadata"]["deletionTimestamp"].isNull }
                .compactMap { $0["metadata"]["labels"]["controller-revision-hash"].stringValue }.sorted()
        }

        func setImage(_ image: String) async throws {
            _ = try await client.patch(.daemonSets, namespace: "default", name: "agent",
                                       ["spec": ["template": ["spec": ["containers": [["name": "a", "image": .string(image)]]]]]])
        }
    }

    static func daemonSet(image: String = "agent:1", spec: JSON = [:]) -> JSON {
        var ds: JSON = ["apiVersion": "apps/v1", "kind": "DaemonSet",
                        "metadata": ["name": "agent", "namespace": "default", "annotations": ["kubernetes.io/change-cause": "first"]],
                        "spec": ["selector": ["matchLabels": ["app": "agent"]],
                                 "template": ["metadata": ["labels": ["app": "agent", "tier": "node"]],
                                              "spec": ["containers": [["name": "a", "image": .string(image)]]]]]]
        for (k, v) in spec.objectValue ?? JSONObject() { ds[path: ["spec", k]] = v }
        return ds
    }

    // The revisions' hashes: Skiff's TemplateHash of the templates above (after defaults).
    static let h1 = "865887654f", h2 = "55c66987bd", h3 = "9cbf5f6d7"
    /// The first template's hash with collision count 1.
    static let h1c1 = "54df5469c6"

    @Test func oneRevisionPerTemplateAndGoingBackRenumbersTheOldOne() async throws {
        let s = try await Setup()
        let ds = try await s.client.create(.daemonSets, namespace: "default", Self.daemonSet())
        do {
            try await eventuallyTrue(10) { try await s.revisions() == ["agent-\(Self.h1)": 1] }
            let r = try await s.client.get(.controllerRevisions, namespace: "default", name: "agent-\(Self.h1)")
            #expect(r["metadata"]["labels"] == ["app": "agent", "tier": "node", "controller-revision-hash": .string(Self.h1)])
            #expect(r["metadata"]["annotations"] == ["kubernetes.io/change-cause": "first", "deprecated.daemonset.template.generation": "1"])
            #expect(r["metadata"]["ownerReferences"] == [["apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent",
                                                          "uid": ds["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true]])
            let template = try await s.client.get(.daemonSets, namespace: "default", name: "agent")["spec"]["template"]
            var expectedTemplate = template
            expectedTemplate["$patch"] = "replace"
            #expect(r["data"] == ["spec": ["template": expectedTemplate]])
            #expect(r["data"]["spec"]["template"]["spec"]["containers"].arrayValue?.first?["image"] == "agent:1")
            try await eventuallyTrue(10) { try await s.podHashes() == [Self.h1] }

            try await s.setImage("agent:2")
            try await eventuallyTrue(10) { try await s.revisions() == ["agent-\(Self.h1)": 1, "agent-\(Self.h2)": 2] }
            try await eventuallyTrue(10) { try await s.podHashes() == [Self.h2] }

            // Back to the first template: its revision is re-used with the next number.
            try await s.setImage("agent:1")
            try await eventuallyTrue(10) { try await s.revisions() == ["agent-\(Self.h1)": 3, "agent-\(Self.h2)": 2] }
            try await eventuallyTrue(10) { try await s.podHashes() == [Self.h1] }
        } catch {
            await s.stop()
            throw error
        }
        await s.stop()
    }

    /// With OnDelete the old pod stays: its revision outlives `revisionHistoryLimit` until
    /// the pod is gone; other old revisions go, lowest number first.
    @Test func oldRevisionsBeyondTheLimitGoUnlessAPodCarriesTheirHash() async throws {
        let s = try await Setup()
        _ = try await s.client.create(.daemonSets, namespace: "default",
                                      Self.daemonSet(spec: ["revisionHistoryLimit": 0, "updateStrategy": ["type": "OnDelete"]]))
        do {
            try await eventuallyTrue(10) { try await s.podHashes() == [Self.h1] }
            try await s.setImage("agent:2")
            try await eventuallyTrue(10) { try await s.revisions() == ["agent-\(Self.h1)": 1, "agent-\(Self.h2)": 2] }
            try await s.setImage("agent:3")
            try await eventuallyTrue(10) { try await s.revisions() == ["agent-\(Self.h1)": 1, "agent-\(Self.h3)": 3] }
            #expect(try await s.podHashes() == [Self.h1])
            // The old pod deleted: its replacement has the current hash, and the first revision goes.
            let pod = try #require(try await s.client.list(.pods, namespace: "default").items.first)
            try await s.client.delete(.pods, namespace: "default", name: pod["metadata"]["name"].stringValue ?? "", gracePeriodSeconds: 0)
            try await eventuallyTrue(10) { try await s.podHashes() == [Self.h3] }
            try await eventuallyTrue(10) { try await s.revisions() == ["agent-\(Self.h3)": 3] }
        } catch {
            await s.stop()
            throw error
        }
        await s.stop()
    }

    /// The data the DaemonSet's defaulted template gives, found by a dry-run create.
    static func currentData(_ s: Setup) async throws -> JSON {
        var dryRun = Request(verb: .create, resource: "daemonsets", namespace: "default")
        dryRun.object = Self.daemonSet()
        dryRun.dryRun = true
        var template = try await s.client.request(dryRun).object["spec"]["template"]
        template["$patch"] = "replace"
        return ["spec": ["template": template]]
    }

    static func orphanRevision(_ name: String, data: JSON, revision: Int) -> JSON {
        ["apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": ["name": .string(name), "labels": ["app": "agent"]],
         "data": data, "revision": .int(revision)]
    }

    /// An orphan revision matching the selector and holding the current template is adopted
    /// and used (no second revision is made); its number is kept, being above all others.
    @Test func anOrphanRevisionOfTheCurrentTemplateIsAdopted() async throws {
        let s = try await Setup()
        do {
            _ = try await s.client.create(.controllerRevisions, namespace: "default",
                                          Self.orphanRevision("agent-old", data: try await Self.currentData(s), revision: 5))
            let ds = try await s.client.create(.daemonSets, namespace: "default", Self.daemonSet())
            try await eventuallyTrue(10) { try await s.podHashes() == ["agent-old"] }
            #expect(try await s.revisions() == ["agent-old": 5])
            let r = try await s.client.get(.controllerRevisions, namespace: "default", name: "agent-old")
            // The missing hash label is the revision's name (Kubernetes: no hash to recompute).
            #expect(r["metadata"]["labels"] == ["app": "agent", "controller-revision-hash": "agent-old"])
            #expect(r["metadata"]["ownerReferences"].arrayValue?.first?["uid"] == ds["metadata"]["uid"])
        } catch {
            await s.stop()
            throw error
        }
        await s.stop()
    }

    /// An adopted revision numbered at the top of int64 leaves no number for a new one: the
    /// sync fails (and retries) instead of overflowing, and the apiserver keeps serving.
    @Test func aRevisionAtTheTopOfInt64DoesNotOverflow() async throws {
        let s = try await Setup()
        do {
            var oldData = try await Self.currentData(s)
            oldData[path: ["spec", "template", "spec", "containers"]] = [["name": "a", "image": "agent:0"]]
            _ = try await s.client.create(.controllerRevisions, namespace: "default",
                                          Self.orphanRevision("agent-top", data: oldData, revision: Int.max))
            _ = try await s.client.create(.daemonSets, namespace: "default", Self.daemonSet())
            try await eventuallyTrue(10) {
                try await s.client.get(.controllerRevisions, namespace: "default", name: "agent-top")["metadata"]["ownerReferences"].arrayValue?.count == 1
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await s.revisions() == ["agent-top": Int.max])
            #expect(try await s.podHashes() == [])
        } catch {
            await s.stop()
            throw error
        }
        await s.stop()
    }

    /// Two revisions of the current template: the higher numbered stays, the other goes
    /// (`dedupCurHistories`); an old template's revision keeps its number below.
    @Test func duplicateCurrentRevisionsAreDeduplicated() async throws {
        let s = try await Setup()
        do {
            let data = try await Self.currentData(s)
            var oldData = data
            oldData[path: ["spec", "template", "spec", "containers"]] = [["name": "a", "image": "agent:0"]]
            for (name, d, n) in [("agent-a", data, 2), ("agent-b", data, 7), ("agent-c", oldData, 3)] {
                _ = try await s.client.create(.controllerRevisions, namespace: "default", Self.orphanRevision(name, data: d, revision: n))
            }
            _ = try await s.client.create(.daemonSets, namespace: "default", Self.daemonSet())
            try await eventuallyTrue(10) { try await s.revisions() == ["agent-b": 7, "agent-c": 3] }
            try await eventuallyTrue(10) { try await s.podHashes() == ["agent-b"] }
        } catch {
            await s.stop()
            throw error
        }
        await s.stop()
    }

    /// A revision of another template already holding the name `agent-<h1>` (one the
    /// DaemonSet's selector does not pick): a hash collision. `status.collisionCount` goes
    /// to 1 and the revision is named by the hash with that count.
    @Test func aNameTakenByOtherDataRaisesTheCollisionCount() async throws {
        let s = try await Setup()
        do {
            var taken = Self.orphanRevision("agent-\(Self.h1)", data: ["other": true], revision: 1)
            taken[path: ["metadata", "labels"]] = ["app": "other"]
            _ = try await s.client.create(.controllerRevisions, namespace: "default", taken)
            _ = try await s.client.create(.daemonSets, namespace: "default", Self.daemonSet())
            try await eventuallyTrue(10) { try await s.revisions() == ["agent-\(Self.h1)": 1, "agent-\(Self.h1c1)": 1] }
            try await eventuallyTrue(10) { try await s.podHashes() == [Self.h1c1] }
            #expect(try await s.client.get(.daemonSets, namespace: "default", name: "agent")["status"]["collisionCount"] == 1)
        } catch {
            await s.stop()
            throw error
        }
        await s.stop()
    }
}
