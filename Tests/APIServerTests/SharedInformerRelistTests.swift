import ControllerRuntime
import Foundation
import Synchronization
import Testing
import Wire
@testable import apiserver

@Suite(.serialized) struct SharedInformerRelistTests {
    /// Deletes made while the informer could not watch, and compacted away, reach the cache,
    /// its indexes and the handlers (as deletes whose final state is unknown) by a relist.
    @Test func deletesMissedDuringADisconnectArriveAsTombstonesAfterA410Relist() async throws {
        let first = try await InProcessServer.start()
        let address = first.address, dir = first.dir, token = first.tokens.admin
        for n in ["keep", "gone"] {
            _ = try await first.client.create(.configMaps, namespace: "default", cm(n, labels: ["app": n]))
        }
        let client = Client(config: ClientConfig(server: address, token: token, clientName: "factory", requestTimeoutSeconds: 5),
                            minBackoff: 0.05, maxBackoff: 0.2)
        defer { client.close() }
        let factory = SharedInformerFactory(client: client)
        defer { factory.shutDown() }
        let cms = factory.informer(.configMaps, namespace: "default")
        cms.indexer.addIndex("app") { o in o["metadata"]["labels"]["app"].stringValue.map { [$0] } ?? [] }
        let tombstones = Mutex<[String]>([]), plainDeletes = Mutex(0), adds = Mutex<[String]>([])
        cms.addHandler { e in
            switch e {
            case .deleted(let o, true): tombstones.withLock { $0.append(o["metadata"]["name"].stringValue ?? "") }
            case .deleted(_, false): plainDeletes.withLock { $0 += 1 }
            case .added(let o): adds.withLock { $0.append(o["metadata"]["name"].stringValue ?? "") }
            case .updated: break
            }
        }
        factory.start()
        #expect(await cms.waitForSync())
        #expect(cms.indexer.byIndex("app", "gone").count == 1)
        // Stop the server; delete and compact while it listens elsewhere, so the informer's
        // revision is gone when the old address serves again.
        first.client.close()
        await first.server.shutdown()
        var config = APIServerConfig()
        config.listen = HostPort(host: "127.0.0.1", port: 0)
        config.dataDir = dir
        config.controllers = false
        config.apiserverLoops = false
        config.store.historyMinRevisions = 1
        let offline = APIServer(config: config)
        let offlineAddress = try await offline.start()
        let admin = Client(config: ClientConfig(server: offlineAddress, token: token, clientName: "admin", requestTimeoutSeconds: 5))
        try await admin.delete(.configMaps, namespace: "default", name: "gone")
        for i in 0..<5 { _ = try await admin.create(.configMaps, namespace: "default", cm("new\(i)", labels: ["app": "new"])) }
        let store = await offline.store!
        await Compactor(store: store, logger: .init(label: "test")).run(upTo: store.revision)
        admin.close()
        await offline.shutdown()
        config.listen = address
        let again = APIServer(config: config)
        _ = try await again.start()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await eventuallyTrue(10) { tombstones.withLock { $0 } == ["gone"] && cms.indexer.count == 6 }
        #expect(await cms.informer.lists == 2)
        #expect(plainDeletes.withLock { $0 } == 0)
        #expect(cms.indexer.byIndex("app", "gone").isEmpty)
        #expect(cms.indexer.byIndex("app", "new").count == 5)
        #expect(adds.withLock { $0 }.sorted() == ["gone", "keep", "new0", "new1", "new2", "new3", "new4"])
        await again.shutdown()
    }
}
