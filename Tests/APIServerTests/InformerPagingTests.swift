import Foundation
import Wire
import Testing
@testable import apiserver

@Suite(.serialized) struct InformerPagingTests {
    /// 12 ConfigMaps of about 1 KiB each make a list of over 12 KiB; the informer's client
    /// takes frames of at most 8 KiB. Unpaged, the list never arrives (the client drops the
    /// oversized frame); in pages of 4 (about 4 KiB) the informer syncs all 12.
    @Test func informerListsInPagesSmallerThanAFrame() async throws {
        let s = try await InProcessServer.start()
        let payload = String(repeating: "x", count: 1000)
        for i in 0..<12 {
            _ = try await s.client.create(.configMaps, namespace: "default", cm("big\(i)", data: ["p": payload]))
        }
        let small = ClientConfig(server: s.address, token: s.tokens.admin, clientName: "small-frames", requestTimeoutSeconds: 5,
                                 limits: FrameLimits(maxFrameBytes: 8192, maxObjectBytes: 4096))
        let client = Client(config: small)
        let informer = Informer(client: client, type: .configMaps, namespace: "default", pageSize: 4)
        let task = Task { await informer.run { _ in } }
        try await eventuallyTrue(10) { await informer.hasSynced }
        let names = await informer.items().compactMap { $0["metadata"]["name"].stringValue }.sorted()
        #expect(names == ["big0", "big1", "big10", "big11", "big2", "big3", "big4", "big5", "big6", "big7", "big8", "big9"])
        #expect(await informer.lists == 1)
        task.cancel()
        client.close()
        await s.stop()
    }

    /// The same objects with the default page size (500) do not fit one 8 KiB frame: the
    /// client says so in its hello, and the server cuts each page short to fit (with a
    /// continue token), so the list still arrives whole.
    @Test func pagesAreCutToTheFrameTheClientAccepts() async throws {
        let s = try await InProcessServer.start()
        let payload = String(repeating: "x", count: 1000)
        for i in 0..<12 {
            _ = try await s.client.create(.configMaps, namespace: "default", cm("big\(i)", data: ["p": payload]))
        }
        let small = ClientConfig(server: s.address, token: s.tokens.admin, clientName: "small-frames", requestTimeoutSeconds: 5,
                                 limits: FrameLimits(maxFrameBytes: 8192, maxObjectBytes: 4096))
        let client = Client(config: small)
        #expect(try await client.list(.configMaps, namespace: "default").items.count == 12)
        let paged = try await client.list(.configMaps, namespace: "default", pageSize: 4)
        #expect(paged.items.count == 12)
        client.close()
        await s.stop()
    }
}
