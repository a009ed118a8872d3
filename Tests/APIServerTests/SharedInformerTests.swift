import ControllerRuntime
import Foundation
import Synchronization
import Testing
import Wire
@testable import apiserver

private func pod(_ name: String, node: String, owner: String) -> JSON {
    ["metadata": ["name": .string(name), "namespace": "default",
                  "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": .string(owner)]]],
     "spec": ["nodeName": .string(node), "containers": [["name": "c", "image": "busybox"]]]]
}

private func names(_ objects: [JSON]) -> Set<String> { Set(objects.compactMap { $0["metadata"]["name"].stringValue }) }

@Suite(.serialized) struct SharedInformerTests {
    @Test func twoControllersAskingForOneTypeShareOneWatch() async throws {
        let s = try await InProcessServer.start()
        let client = Client(config: ClientConfig(server: s.address, token: s.tokens.admin, clientName: "factory", requestTimeoutSeconds: 5))
        let factory = SharedInformerFactory(client: client)
        let a = factory.informer(.configMaps, namespace: "default")
        let b = factory.informer(.configMaps, namespace: "default")
        let seenA = Mutex(0), seenB = Mutex(0)
        a.addHandler { if case .added = $0 { seenA.withLock { $0 += 1 } } }
        b.addHandler { if case .added = $0 { seenB.withLock { $0 += 1 } } }
        factory.start()
        #expect(await factory.waitForSync())
        _ = try await s.client.create(.configMaps, namespace: "default", cm("one"))
        try await eventuallyTrue(5) { seenA.withLock { $0 } == 1 && seenB.withLock { $0 } == 1 }
        #expect(a === b)
        #expect(factory.count == 1)
        #expect(await a.informer.lists == 1)
        // The server sees exactly one watch from this process.
        #expect(await s.server.hub!.watcherCount == 1)
        // Another scope is another watch.
        let other = factory.informer(.configMaps, namespace: "kube-system")
        #expect(await other.waitForSync())
        #expect(factory.count == 2)
        try await eventuallyTrue(5) { await s.server.hub!.watcherCount == 2 }
        factory.shutDown()
        client.close()
        await s.stop()
    }

    @Test func cacheAndIndexesFollowAddUpdateDelete() async throws {
        let s = try await InProcessServer.start()
        let client = Client(config: ClientConfig(server: s.address, token: s.tokens.admin, clientName: "factory", requestTimeoutSeconds: 5))
        let factory = SharedInformerFactory(client: client)
        let pods = factory.informer(.pods)
        factory.start()
        #expect(await pods.waitForSync())
        let c = s.client
        _ = try await c.create(.pods, pod("p1", node: "n1", owner: "u1"))
        _ = try await c.create(.pods, pod("p2", node: "n1", owner: "u2"))
        _ = try await c.create(.pods, pod("p3", node: "n2", owner: "u1"))
        let ix = pods.indexer
        try await eventuallyTrue(5) { ix.count == 3 }
        #expect(names(ix.byIndex(Indexes.nodeName, "n1")) == ["p1", "p2"])
        #expect(names(ix.byIndex(Indexes.nodeName, "n2")) == ["p3"])
        #expect(names(ix.byIndex(Indexes.ownerUID, "u1")) == ["p1", "p3"])
        #expect(names(ix.byIndex(Indexes.namespace, "default")) == ["p1", "p2", "p3"])
        // An update moves the object between index values.
        var p1 = try await c.get(.pods, namespace: "default", name: "p1")
        p1[path: ["metadata", "ownerReferences"]] = [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u2"]]
        _ = try await c.update(.pods, p1)
        try await eventuallyTrue(5) { names(ix.byIndex(Indexes.ownerUID, "u2")) == ["p1", "p2"] }
        #expect(names(ix.byIndex(Indexes.ownerUID, "u1")) == ["p3"])
        // A custom index added late indexes what is already cached.
        ix.addIndex("container") { o in (o["spec"]["containers"].arrayValue ?? []).compactMap { $0["image"].stringValue } }
        #expect(names(ix.byIndex("container", "busybox")) == ["p1", "p2", "p3"])
        try await c.delete(.pods, namespace: "default", name: "p3", gracePeriodSeconds: 0)
        try await eventuallyTrue(5) { ix.count == 2 }
        #expect(ix.byIndex(Indexes.nodeName, "n2").isEmpty)
        #expect(ix.indexKeys(Indexes.ownerUID, "u1").isEmpty)
        #expect(ix.get(namespace: "default", name: "p3") == nil)
        factory.shutDown()
        client.close()
        await s.stop()
    }

    @Test func aSlowHandlerDoesNotStallTheWatchOrOtherHandlers() async throws {
        let s = try await InProcessServer.start()
        let client = Client(config: ClientConfig(server: s.address, token: s.tokens.admin, clientName: "factory", requestTimeoutSeconds: 5))
        let factory = SharedInformerFactory(client: client)
        let cms = factory.informer(.configMaps, namespace: "default")
        let release = Mutex(false)
        let slowSeen = Mutex(0), fastSeen = Mutex(0)
        cms.addHandler { _ in
            slowSeen.withLock { $0 += 1 }
            while !release.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
        }
        cms.addHandler { _ in fastSeen.withLock { $0 += 1 } }
        factory.start()
        #expect(await cms.waitForSync())
        for i in 0..<20 { _ = try await s.client.create(.configMaps, namespace: "default", cm("c\(i)")) }
        try await eventuallyTrue(5) { fastSeen.withLock { $0 } == 20 && cms.indexer.count == 20 }
        #expect(slowSeen.withLock { $0 } == 1)
        release.withLock { $0 = true }
        try await eventuallyTrue(5) { slowSeen.withLock { $0 } == 20 }
        factory.shutDown()
        client.close()
        await s.stop()
    }

    @Test func resyncRedeliversEveryCachedObjectOnTheFakeClock() async throws {
        let s = try await InProcessServer.start()
        let client = Client(config: ClientConfig(server: s.address, token: s.tokens.admin, clientName: "factory", requestTimeoutSeconds: 5))
        let clock = FakeClock()
        let factory = SharedInformerFactory(client: client, clock: clock, resyncPeriod: 30)
        for n in ["a", "b"] { _ = try await s.client.create(.configMaps, namespace: "default", cm(n)) }
        let cms = factory.informer(.configMaps, namespace: "default")
        let resynced = Mutex<[String]>([])
        cms.addHandler { e in
            if case .updated(let old, let new) = e, old == new { resynced.withLock { $0.append(new["metadata"]["name"].stringValue ?? "") } }
        }
        factory.start()
        #expect(await cms.waitForSync())
        try await eventuallyTrue(5) { clock.sleeperCount == 1 }
        clock.advance(by: 29)
        try await Task.sleep(for: .milliseconds(50))
        #expect(resynced.withLock { $0 }.isEmpty)
        clock.advance(by: 1)
        try await eventuallyTrue(5) { resynced.withLock { $0 }.sorted() == ["a", "b"] }
        factory.shutDown()
        client.close()
        await s.stop()
    }
}
