import Foundation
import Wire
import Testing
@testable import apiserver

@Suite(.serialized) struct StoreTests {
    @Test func optimisticConcurrency() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        let created = try await c.create(.configMaps, namespace: "default", cm("a", data: ["k": "1"]))
        var v1 = created
        v1["data"] = ["k": "2"]
        let updated = try await c.update(.configMaps, v1)
        #expect(rv(updated) > rv(created))
        var stale = created
        stale["data"] = ["k": "3"]
        await #expect { try await c.update(.configMaps, stale) } throws: { ($0 as? Status)?.isConflict == true }
        // A no-op update writes nothing and keeps the revision.
        let same = try await c.update(.configMaps, updated)
        #expect(rv(same) == rv(updated))
        // Delete preconditions.
        await #expect { try await c.delete(.configMaps, namespace: "default", name: "a", uid: "wrong") } throws: { ($0 as? Status)?.code == 409 }
        try await c.delete(.configMaps, namespace: "default", name: "a", resourceVersion: String(rv(updated)))
        #expect(try await c.getIfPresent(.configMaps, namespace: "default", name: "a") == nil)
        await s.stop()
    }

    @Test func createRules() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        await #expect { try await c.create(.configMaps, namespace: "nowhere", cm("x")) } throws: {
            ($0 as? Status)?.message == "namespaces \"nowhere\" not found"
        }
        await #expect { try await c.create(.configMaps, namespace: "default", cm("Bad_Name")) } throws: { ($0 as? Status)?.code == 422 }
        let g = try await c.create(.configMaps, namespace: "default", ["metadata": ["generateName": "web-"]])
        let name = g["metadata"]["name"].stringValue ?? ""
        #expect(name.hasPrefix("web-") && name.count == 9)
        #expect(g["metadata"]["uid"].stringValue?.count == 36 && g["metadata"]["creationTimestamp"].stringValue != nil)
        await #expect { try await c.create(.configMaps, namespace: "default", cm(name)) } throws: { ($0 as? Status)?.isAlreadyExists == true }
        let sec = try await c.create(.secrets, namespace: "default", ["metadata": ["name": "s"], "stringData": ["pw": "hunter2"]])
        #expect(sec["data"]["pw"] == "aHVudGVyMg==" && sec["stringData"].isNull && sec["type"] == "Opaque")
        await s.stop()
    }

    @Test func watchResumesInOrderFromAnyRevision() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        var revs: [Int64] = []
        for i in 0..<20 { revs.append(rv(try await c.create(.configMaps, namespace: "default", cm("w\(i)")))) }
        _ = try await c.patch(.configMaps, namespace: "default", name: "w3", ["data": ["x": "y"]])
        try await c.delete(.configMaps, namespace: "default", name: "w4")
        var req = Request(verb: .watch, resource: "configmaps", namespace: "default")
        req.resourceVersion = String(revs[9])
        var seen: [(String, String, Int64)] = []
        for try await e in try await c.watch(req) {
            seen.append((e.type, e.object["metadata"]["name"].stringValue ?? "", rv(e.object)))
            if seen.count == 12 { break }
        }
        #expect(seen.map(\.1) == (10..<20).map { "w\($0)" } + ["w3", "w4"])
        #expect(seen.suffix(2).map(\.0) == ["MODIFIED", "DELETED"])
        #expect(seen.map(\.2) == seen.map(\.2).sorted())
        // No resourceVersion: the current state as ADDED, then changes.
        var fresh = Request(verb: .watch, resource: "configmaps", namespace: "default")
        fresh.labelSelector = "!nothing"
        var count = 0
        for try await e in try await c.watch(fresh) {
            #expect(e.type == "ADDED")
            count += 1
            if count == 19 { break }
        }
        await s.stop()
    }

    @Test func watchFromBeforeTheRingReadsTheLog() async throws {
        let s = try await InProcessServer.start { $0.watch.historyEvents = 5 }
        let c = s.client
        let first = try await c.create(.configMaps, namespace: "default", cm("r0"))
        for i in 1..<30 { _ = try await c.create(.configMaps, namespace: "default", cm("r\(i)")) }
        var req = Request(verb: .watch, resource: "configmaps", namespace: "default")
        req.resourceVersion = String(rv(first))
        var names: [String] = []
        let stream = try await c.watch(req)
        let writer = Task { for i in 30..<35 { _ = try await c.create(.configMaps, namespace: "default", cm("r\(i)")) } }
        for try await e in stream {
            names.append(e.object["metadata"]["name"].stringValue ?? "")
            if names.count == 34 { break }
        }
        try await writer.value
        #expect(names == (1..<35).map { "r\($0)" })
        await s.stop()
    }

    @Test func filteredWatchSeesObjectsLeaveAndEnter() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        let start = try await c.create(.configMaps, namespace: "default", cm("f", labels: ["app": "web"]))
        var req = Request(verb: .watch, resource: "configmaps", namespace: "default")
        req.labelSelector = "app=web"
        req.resourceVersion = String(rv(start))
        let stream = try await c.watch(req)
        _ = try await c.patch(.configMaps, namespace: "default", name: "f", ["metadata": ["labels": ["app": "db"]]])
        _ = try await c.patch(.configMaps, namespace: "default", name: "f", ["metadata": ["labels": ["app": "web"]]])
        _ = try await c.create(.configMaps, namespace: "default", cm("other", labels: ["app": "db"]))
        _ = try await c.patch(.configMaps, namespace: "default", name: "f", ["data": ["k": "v"]])
        var types: [String] = []
        for try await e in stream {
            types.append(e.type)
            if types.count == 3 { break }
        }
        #expect(types == ["DELETED", "ADDED", "MODIFIED"])
        await s.stop()
    }

    @Test func compactionGivesGoneAndBoundsTheLog() async throws {
        let s = try await InProcessServer.start { $0.store.historyMinRevisions = 10 }
        let c = s.client
        let first = try await c.create(.configMaps, namespace: "default", cm("hot", data: ["n": "0"]))
        var page = Request(verb: .list, resource: "configmaps", namespace: "default")
        page.limit = 1
        _ = try await c.create(.configMaps, namespace: "default", cm("zz"))
        let paged = try await c.request(page).object
        let token = paged["metadata"]["continue"].stringValue ?? ""
        #expect(!token.isEmpty)
        for i in 1...300 { _ = try await c.patch(.configMaps, namespace: "default", name: "hot", ["data": ["n": .string(String(i))]]) }
        let store = await s.store
        await Compactor(store: store, logger: .init(label: "test")).run(upTo: store.revision - 10)
        var watch = Request(verb: .watch, resource: "configmaps", namespace: "default")
        watch.resourceVersion = String(rv(first))
        await #expect { for try await _ in try await c.watch(watch) {} } throws: { ($0 as? Status)?.code == 410 }
        page.continueToken = token
        await #expect { try await c.request(page) } throws: { ($0 as? Status)?.code == 410 }
        // The log keeps the window plus one row per live key, not all 300 versions.
        let rows = try store.reads.withConnection { c throws(Status) -> Int64 in
            do { return try c.scalarInt("SELECT COUNT(*) FROM log") } catch { throw Status.internalError("\(error)") }
        }
        #expect(rows < 40, "log rows after compaction: \(rows)")
        // Watching from inside the window still works.
        watch.resourceVersion = String(store.revision - 5)
        var n = 0
        for try await _ in try await c.watch(watch) {
            n += 1
            if n == 5 { break }
        }
        await s.stop()
    }

    @Test func continuedListReadsTheFirstPagesRevision() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        for i in 0..<6 { _ = try await c.create(.configMaps, namespace: "default", cm("p\(i)", data: ["v": "old"])) }
        var req = Request(verb: .list, resource: "configmaps", namespace: "default")
        req.limit = 2
        let first = try await c.request(req).object
        #expect(first["items"].arrayValue?.map { $0["metadata"]["name"].stringValue ?? "" } == ["p0", "p1"])
        // Changes after the first page: the rest of the list must not show them.
        _ = try await c.patch(.configMaps, namespace: "default", name: "p3", ["data": ["v": "new"]])
        try await c.delete(.configMaps, namespace: "default", name: "p4")
        _ = try await c.create(.configMaps, namespace: "default", cm("p2a"))
        // Deleted and created again: the list must still show the version it had.
        try await c.delete(.configMaps, namespace: "default", name: "p5")
        _ = try await c.create(.configMaps, namespace: "default", cm("p5", data: ["v": "reborn"]))
        var rest: [JSON] = []
        req.continueToken = first["metadata"]["continue"].stringValue
        while let t = req.continueToken, !t.isEmpty {
            let p = try await c.request(req).object
            rest += p["items"].arrayValue ?? []
            #expect(p["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"])
            req.continueToken = p["metadata"]["continue"].stringValue
        }
        #expect(rest.map { $0["metadata"]["name"].stringValue ?? "" } == ["p2", "p3", "p4", "p5"])
        #expect(rest[1]["data"]["v"] == "old")
        #expect(rest[3]["data"]["v"] == "old")
        await #expect { var bad = req; bad.continueToken = "garbage"; _ = try await c.request(bad) } throws: { ($0 as? Status)?.code == 400 }
        await s.stop()
    }

    @Test func selectorsOnListAndErrors() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        _ = try await c.create(.configMaps, namespace: "default", cm("a", labels: ["env": "prod", "tier": "web"]))
        _ = try await c.create(.configMaps, namespace: "default", cm("b", labels: ["env": "dev"]))
        _ = try await c.create(.configMaps, namespace: "kube-system", cm("c", labels: ["env": "prod"]))
        #expect(try await c.list(.configMaps, labelSelector: "env=prod").items.count == 2)
        #expect(try await c.list(.configMaps, namespace: "default", labelSelector: "env in (prod,dev),!tier").items.count == 1)
        #expect(try await c.list(.configMaps, fieldSelector: "metadata.namespace=kube-system").items.count == 1)
        #expect(try await c.list(.namespaces, fieldSelector: "status.phase=Active").items.count == 4)
        await #expect { try await c.list(.configMaps, fieldSelector: "spec.nodeName=x") } throws: {
            ($0 as? Status)?.message == "field label not supported: spec.nodeName"
        }
        await #expect { try await c.list(.configMaps, labelSelector: "a in b") } throws: { ($0 as? Status)?.code == 400 }
        await s.stop()
    }

    @Test func finalizersHoldDeletion() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        var o = cm("held")
        o[path: ["metadata", "finalizers"]] = ["example.com/wait"]
        _ = try await c.create(.configMaps, namespace: "default", o)
        let marked = try await c.delete(.configMaps, namespace: "default", name: "held")
        #expect(marked["metadata"]["deletionTimestamp"].stringValue != nil)
        #expect(try await c.getIfPresent(.configMaps, namespace: "default", name: "held") != nil)
        await #expect { try await c.patch(.configMaps, namespace: "default", name: "held", ["metadata": ["finalizers": ["a", "example.com/wait"]]]) } throws: {
            ($0 as? Status)?.code == 403
        }
        _ = try await c.patch(.configMaps, namespace: "default", name: "held", ["metadata": ["finalizers": .null]])
        #expect(try await c.getIfPresent(.configMaps, namespace: "default", name: "held") == nil)
        await s.stop()
    }

    @Test func statusSubresourceSplitsSpecAndStatus() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        let node = try await c.create(.nodes, ["metadata": ["name": "n1"], "status": ["phase": "Running"]])
        #expect(node["status"]["phase"] == "Running")
        var withStatus = node
        withStatus["status"] = ["conditions": [["type": "Ready", "status": "True"]]]
        withStatus["spec"] = ["unschedulable": true]
        let after = try await c.update(.nodes, withStatus, status: true)
        #expect(after["status"]["conditions"].arrayValue?.count == 1 && after["spec"]["unschedulable"].isNull)
        let main = try await c.update(.nodes, after.applyingMergePatch(["status": .null, "spec": ["unschedulable": true]]))
        #expect(main["status"]["conditions"].arrayValue?.count == 1 && main["spec"]["unschedulable"] == true)
        await s.stop()
    }
}
