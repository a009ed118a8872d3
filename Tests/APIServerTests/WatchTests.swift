import Foundation
import Wire
import Testing
@testable import apiserver

@Suite(.serialized) struct SlowWatcherTests {
    @Test func aWatcherThatDoesNotReadIsClosedNotWaitedFor() async throws {
        let s = try await InProcessServer.start { $0.watch.maxPendingBytes = 256 << 10 }
        // A raw client that asks for a watch and then never reads.
        let fd = try Socket.connect(to: s.address, timeoutMs: 2000)
        defer { close(fd) }
        var small: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        func send(_ j: JSON) { _ = Frame.encode(j.bytes()).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        send(Hello(token: s.tokens.admin, client: "slow").json)
        var w = Request(id: 1, verb: .watch, resource: "configmaps", namespace: "default")
        w.resourceVersion = "1"
        send(w.json)
        let hub = await s.server.hub!
        try await eventuallyTrue(5) { hub.watcherCount >= 1 }
        let payload = String(repeating: "p", count: 4000)
        var i = 0
        while hub.watcherCount > 0 && i < 2000 {
            _ = try await s.client.create(.configMaps, namespace: "default", cm("slow\(i)", data: ["p": payload]))
            i += 1
        }
        #expect(hub.watcherCount == 0, "the slow watcher was not closed after \(i) events")
        // Everyone else is still served.
        #expect(try await s.client.list(.configMaps, namespace: "default").items.count == i)
        await s.stop()
    }
}

@Suite(.serialized) struct InformerTests {
    @Test func informerResumesAndRelistsAfterGone() async throws {
        let first = try await InProcessServer.start()
        let address = first.address
        let dir = first.dir
        _ = try await first.client.create(.configMaps, namespace: "default", cm("before"))
        let watcherClient = Client(config: ClientConfig(server: address, token: first.tokens.admin, clientName: "informer", requestTimeoutSeconds: 5),
                                   minBackoff: 0.05, maxBackoff: 0.2)
        defer { watcherClient.close() }
        let informer = Informer(client: watcherClient, type: .configMaps, namespace: "default")
        let run = Task { await informer.run { _ in } }
        defer { run.cancel() }
        try await eventuallyTrue(5) { await informer.hasSynced }
        #expect(await informer.lists == 1)
        // Resume after a disconnect: same server, changes made while it was away.
        first.client.close()
        await first.server.shutdown()
        var config = APIServerConfig()
        config.listen = address
        config.dataDir = dir
        config.controllers = false
        config.apiserverLoops = false
        config.store.historyMinRevisions = 1
        let second = APIServer(config: config)
        _ = try await second.start()
        let admin = Client(config: ClientConfig(server: address, token: first.tokens.admin, clientName: "admin", requestTimeoutSeconds: 5))
        defer { admin.close() }
        for i in 0..<20 { _ = try await admin.create(.configMaps, namespace: "default", cm("during\(i)")) }
        try await eventuallyTrue(10) { await informer.items().count == 21 }
        // Now make its revision too old: stop, write and compact past it on another port
        // (so the informer cannot resume in between), then serve the old address again.
        await second.shutdown()
        var elsewhere = config
        elsewhere.listen = HostPort(host: "127.0.0.1", port: 0)
        let offline = APIServer(config: elsewhere)
        let offlineAddress = try await offline.start()
        let admin3 = Client(config: ClientConfig(server: offlineAddress, token: first.tokens.admin, clientName: "admin", requestTimeoutSeconds: 5))
        try await admin3.delete(.configMaps, namespace: "default", name: "before")
        for i in 0..<20 { _ = try await admin3.create(.configMaps, namespace: "default", cm("later\(i)")) }
        let store = await offline.store!
        await Compactor(store: store, logger: .init(label: "test")).run(upTo: store.revision)
        admin3.close()
        await offline.shutdown()
        let third = APIServer(config: config)
        _ = try await third.start()
        try await eventuallyTrue(10) {
            let count = await informer.items().count
            let gone = await informer.object(namespace: "default", name: "before") == nil
            return count == 40 && gone
        }
        #expect(await informer.lists >= 2, "expected a relist after 410")
        await third.shutdown()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

@Suite(.serialized) struct WatchEdgeTests {
    @Test func cancellingDuringTheInitialListLeavesNoWatcher() async throws {
        let s = try await InProcessServer.start()
        for i in 0..<300 { _ = try await s.client.create(.configMaps, namespace: "default", cm("w\(i)", data: ["p": String(repeating: "x", count: 1000)])) }
        let hub = await s.server.hub!
        for _ in 0..<5 {
            var req = Request(verb: .watch, resource: "configmaps", namespace: "default")
            req.labelSelector = "!nothing"
            let stream = try await s.client.watch(req)
            // Take one event, then walk away (cancel) while the rest may still be coming.
            for try await _ in stream { break }
        }
        try await eventuallyTrue(5) { hub.watcherCount == 0 }
        await s.stop()
    }

    @Test func filteredWatchSeesDeleteWhenTheLastWriteMovedItOut() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        var o = cm("held", labels: ["app": "web"])
        o[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        let created = try await c.create(.configMaps, namespace: "default", o)
        _ = try await c.delete(.configMaps, namespace: "default", name: "held")
        var req = Request(verb: .watch, resource: "configmaps", namespace: "default")
        req.labelSelector = "app=web"
        req.resourceVersion = String(rv(created))
        let stream = try await c.watch(req)
        // One write removes the finalizer and the label: the object is gone for good.
        _ = try await c.patch(.configMaps, namespace: "default", name: "held", ["metadata": ["finalizers": .null, "labels": ["app": "other"]]])
        var types: [String] = []
        for try await e in stream {
            types.append(e.type)
            if e.type == "DELETED" { break }
        }
        #expect(types == ["MODIFIED", "DELETED"])
        await s.stop()
    }
}
