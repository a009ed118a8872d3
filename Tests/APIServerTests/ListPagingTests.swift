import Foundation
import Wire
import Testing
@testable import apiserver

/// Lists page through the key index kept sorted on every write, read each page at the first
/// page's revision, and narrow by name and namespace through the index.
@Suite(.serialized) struct ListPagingTests {
    func page(_ c: Client, limit: Int, token: String? = nil, fieldSelector: String? = nil, namespace: String? = "default")
        async throws -> (names: [String], next: String?, rv: String) {
        var req = Request(verb: .list, resource: "configmaps", namespace: namespace)
        req.limit = limit
        req.continueToken = token
        req.fieldSelector = fieldSelector
        let o = try await c.request(req).object
        let names = (o["items"].arrayValue ?? []).map { ($0["metadata"]["namespace"].stringValue ?? "") + "/" + ($0["metadata"]["name"].stringValue ?? "") }
        return (names, o["metadata"]["continue"].stringValue, o["metadata"]["resourceVersion"].stringValue ?? "")
    }

    @Test func pagesStayConsistentAcrossInterleavedCreatesAndDeletes() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        for i in 0..<14 { _ = try await c.create(.configMaps, namespace: "default", cm(String(format: "p%02d", i))) }
        let p1 = try await page(c, limit: 5)
        #expect(p1.names == ["default/p00", "default/p01", "default/p02", "default/p03", "default/p04"])
        try await c.delete(.configMaps, namespace: "default", name: "p02")
        try await c.delete(.configMaps, namespace: "default", name: "p06")
        for n in ["p05a", "p000", "p99"] { _ = try await c.create(.configMaps, namespace: "default", cm(n)) }
        // Later pages show the list as of the first page's revision.
        let p2 = try await page(c, limit: 5, token: p1.next)
        #expect(p2.names == ["default/p05", "default/p06", "default/p07", "default/p08", "default/p09"])
        #expect(p2.rv == p1.rv)
        try await c.delete(.configMaps, namespace: "default", name: "p11")
        _ = try await c.create(.configMaps, namespace: "default", cm("p10a"))
        let p3 = try await page(c, limit: 5, token: p2.next)
        #expect(p3.names == ["default/p10", "default/p11", "default/p12", "default/p13"])
        #expect(p3.next == nil)
        // A new list sees every change, in key order, page after page.
        let now = ["p00", "p000", "p01", "p03", "p04", "p05", "p05a", "p07", "p08", "p09", "p10", "p10a", "p12", "p13", "p99"].map { "default/" + $0 }
        var all: [String] = []
        var token: String? = nil
        var pages = 0
        repeat {
            let p = try await page(c, limit: 4, token: token)
            all += p.names
            token = p.next
            pages += 1
        } while token != nil
        #expect(all == now)
        #expect(pages == 4)
        #expect(try await page(c, limit: 15).next == nil)
        #expect(try await page(c, limit: 14).next != nil)
        await s.stop()
    }

    @Test func nameAndNamespaceSelectorsUseTheIndex() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        _ = try await c.create(.namespaces, ["metadata": ["name": "other"]])
        for n in ["a", "b", "c", "d"] { _ = try await c.create(.configMaps, namespace: "default", cm(n)) }
        for n in ["a", "e"] { _ = try await c.create(.configMaps, namespace: "other", cm(n)) }
        let store = await s.store
        func reads(_ body: () async throws -> [String]) async throws -> ([String], Int) {
            let before = store.listedValueReads.load(ordering: .relaxed)
            let names = try await body()
            return (names, store.listedValueReads.load(ordering: .relaxed) - before)
        }
        let everywhere = try await reads { try await page(c, limit: 0, fieldSelector: "metadata.name=a", namespace: nil).names }
        #expect(everywhere.0 == ["default/a", "other/a"])
        #expect(everywhere.1 == 2)
        let one = try await reads { try await page(c, limit: 0, fieldSelector: "metadata.name=c").names }
        #expect(one.0 == ["default/c"])
        #expect(one.1 == 1)
        let none = try await reads { try await page(c, limit: 0, fieldSelector: "metadata.name=zz").names }
        #expect(none.0 == [] && none.1 == 0)
        let ns = try await reads { try await page(c, limit: 0, fieldSelector: "metadata.namespace=other", namespace: nil).names }
        #expect(ns.0 == ["other/a", "other/e"])
        #expect(ns.1 == 2)
        let both = try await reads { try await page(c, limit: 0, fieldSelector: "metadata.namespace=other,metadata.name=e", namespace: nil).names }
        #expect(both.0 == ["other/e"] && both.1 == 1)
        let negated = try await page(c, limit: 0, fieldSelector: "metadata.name!=a").names
        #expect(negated == ["default/b", "default/c", "default/d"])
        await s.stop()
    }
}
