import Foundation
import Testing
import TestSupport
@testable import apiserver

/// Clients that pipeline, reuse ids, stop reading or go away: the server's memory and its
/// other clients must not pay for them.
@Suite(.serialized) struct HostileClientTests {
    func createBig(_ s: InProcessServer, count: Int, bytes: Int) async throws {
        let value = String(repeating: "x", count: bytes)
        for i in 0..<count {
            _ = try await s.client.create(.configMaps, namespace: "default",
                                          ["metadata": ["name": .string(String(format: "big-%02d", i))], "data": ["v": .string(value)]])
        }
    }

    @Test func aRequestIDInFlightCannotBeReused() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let hub = await s.server.hub!
        let address = s.address
        let token = s.tokens.admin
        try await offThread {
            let p = try RawPeer(address)
            #expect(p.handshake(token))
            p.request(7, ["verb": "watch", "resource": "configmaps", "resourceVersion": "1"])
            for _ in 0..<5 { p.request(7, ["verb": "watch", "resource": "configmaps", "resourceVersion": "1"]) }
            for _ in 0..<5 {
                let r = p.response(7)
                #expect(r?["error"]["code"] == 400)
                #expect(r?["error"]["message"] == "request id 7 is already in flight on this connection: ids must be unique among a connection's requests in flight")
            }
            p.sendJSON(["type": "cancel", "id": 7])
            #expect(p.response(7) == ["type": "response", "id": 7, "object": .null])
            // Once answered, the id is free again.
            p.request(7, ["verb": "get", "resource": "namespaces", "name": "default"])
            #expect(p.response(7)?["object"]["metadata"]["name"] == "default")
            p.request(8, ["verb": "watch", "resource": "configmaps"])
            p.request(9, ["verb": "get", "resource": "namespaces", "name": "default"])
            _ = p.response(9)
        }
        // The peer's connection is gone: none of its watchers is left in the hub.
        try await eventuallyTrue(5) { hub.watcherCount == 0 }
        #expect(await s.server.context!.watchCount == 0)
    }

    @Test func watchesHaveTheirOwnLimitAndDoNotUseRequestSlots() async throws {
        let s = try await InProcessServer.start {
            $0.maxWatchesPerConnection = 3
            $0.maxInflightPerConnection = 2
        }
        defer { Task { await s.stop() } }
        let address = s.address
        let token = s.tokens.admin
        try await offThread {
            let p = try RawPeer(address)
            #expect(p.handshake(token))
            for id in 1...4 { p.request(id, ["verb": "watch", "resource": "configmaps", "resourceVersion": "1"]) }
            let refused = p.response(4)
            #expect(refused?["error"]["code"] == 429)
            #expect(refused?["error"]["message"] == "too many watches on this connection (limit 3)")
            // Three watches open, and requests still get both of their slots.
            p.request(10, ["verb": "get", "resource": "namespaces", "name": "default"])
            p.request(11, ["verb": "get", "resource": "namespaces", "name": "default"])
            #expect(p.response(10)?["object"]["metadata"]["name"] == "default")
            #expect(p.response(11)?["object"]["metadata"]["name"] == "default")
            // Ending one frees its slot.
            p.sendJSON(["type": "cancel", "id": 2])
            _ = p.response(2)
            p.request(5, ["verb": "watch", "resource": "configmaps", "resourceVersion": "1"])
            p.request(12, ["verb": "get", "resource": "namespaces", "name": "default"])
            #expect(p.response(12)?["object"]["metadata"]["name"] == "default")
        }
        let context = await s.server.context!
        try await eventuallyTrue(5) { context.watchCount == 0 }
    }

    @Test func listsNeverExceedTheLargestFrameThePeerAccepts() async throws {
        let s = try await InProcessServer.start { $0.limits = FrameLimits(maxFrameBytes: 1 << 20, maxObjectBytes: 256 << 10) }
        defer { Task { await s.stop() } }
        try await createBig(s, count: 10, bytes: 200_000)
        let address = s.address
        let token = s.tokens.admin
        try await offThread {
            let p = try RawPeer(address)
            #expect(p.handshake(token))
            p.request(1, ["verb": "list", "resource": "configmaps", "namespace": "default"])
            let unpaged = p.response(1)
            #expect(unpaged?["error"]["code"] == 413)
            #expect(unpaged?["error"]["message"] == "the list is larger than the largest frame this connection accepts (1048576 bytes): page it with limit and continue (kubectl's --chunk-size)")
            // Paged with a limit it cannot meet in one frame: fewer items and a continue token,
            // then the rest, every object exactly once and in order.
            var names: [String] = []
            var token: JSON = .null
            var id = 2
            repeat {
                var req: JSON = ["verb": "list", "resource": "configmaps", "namespace": "default", "limit": 500]
                if !token.isNull { req["continue"] = token }
                p.request(id, req)
                let page = p.response(id)?["object"] ?? .null
                let items = page["items"].arrayValue ?? []
                #expect(!items.isEmpty && items.count <= 5)
                names += items.compactMap { $0["metadata"]["name"].stringValue }
                token = page["metadata"]["continue"]
                id += 1
            } while !token.isNull && id < 20
            #expect(names == (0..<10).map { String(format: "big-%02d", $0) })
            #expect(p.largestFrame <= 1 << 20)
        }
        // A peer that accepts only 256 KiB frames gets pages of one object.
        try await offThread {
            let p = try RawPeer(address)
            #expect(p.handshake(token, maxFrameBytes: 256 << 10))
            p.request(1, ["verb": "list", "resource": "configmaps", "namespace": "default", "limit": 3])
            let page = p.response(1)?["object"] ?? .null
            #expect(page["items"].arrayValue?.count == 1)
            #expect(!page["metadata"]["continue"].isNull)
            #expect(p.largestFrame <= 256 << 10)
        }
    }

    @Test func deleteCollectionLeavesOutAListTooLargeForAFrame() async throws {
        let s = try await InProcessServer.start { $0.limits = FrameLimits(maxFrameBytes: 1 << 20, maxObjectBytes: 256 << 10) }
        defer { Task { await s.stop() } }
        try await createBig(s, count: 10, bytes: 200_000)
        let r = try await s.client.request(Request(verb: .deletecollection, resource: "configmaps", namespace: "default"))
        #expect(r.object["items"] == [])
        #expect(r.warnings.count == 1 && r.warnings[0].hasPrefix("deleted 10 configmaps; the list of them ("))
        #expect(try await s.client.list(.configMaps, namespace: "default").items.isEmpty)
    }

    @Test func aClientThatDoesNotReadGetsNoMoreListsProduced() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        try await createBig(s, count: 6, bytes: 500_000)
        let context = await s.server.context!
        let address = s.address
        let token = s.tokens.admin
        let p = try await offThread { () -> RawPeer in
            let p = try RawPeer(address)
            #expect(p.handshake(token))
            for id in 1...40 { p.request(id, ["verb": "list", "resource": "configmaps", "namespace": "default"]) }
            return p
        }
        try await Task.sleep(for: .seconds(2))
        // 40 lists of 3 MB were asked for; about one is produced ahead of the reader.
        let queued = context.connections.withLock { $0.values.reduce(0) { $0 + $1.framed.pendingOutputBytes } }
        #expect(queued < 12 << 20, "\(queued) bytes queued for a client that reads nothing")
        // Once it reads, it gets every one of them in full (in any order).
        let counts = try await offThread { () -> [Int: Int] in
            var counts: [Int: Int] = [:]
            while counts.count < 40, let f = p.next() {
                if let id = f["id"].intValue { counts[id] = f["object"]["items"].arrayValue?.count ?? -1 }
            }
            return counts
        }
        #expect(counts == Dictionary(uniqueKeysWithValues: (1...40).map { ($0, 6) }))
    }

    @Test func queuedListsCanBeCancelledAndHoldNoServerSlots() async throws {
        let s = try await InProcessServer.start { $0.maxInflight = 4 }
        defer { Task { await s.stop() } }
        try await createBig(s, count: 12, bytes: 500_000)
        let address = s.address
        let token = s.tokens.admin
        let p = try await offThread { () -> RawPeer in
            let p = try RawPeer(address)
            #expect(p.handshake(token))
            for id in 1...20 { p.request(id, ["verb": "list", "resource": "configmaps", "namespace": "default"]) }
            return p
        }
        try await Task.sleep(for: .seconds(1))
        // Twenty lists wait for a reader, yet the server's four request slots are free for others.
        for _ in 0..<8 { #expect(try await s.client.get(.namespaces, name: "default")["metadata"]["name"] == "default") }
        // A list still at the gate is cancelled: 499 Canceled.
        let cancelled = try await offThread { () -> JSON? in
            p.sendJSON(["type": "cancel", "id": 20])
            return p.response(20)
        }
        #expect(cancelled?["error"]["code"] == 499)
        #expect(cancelled?["error"]["reason"] == "Canceled")
    }

    @Test func watchEventsLargerThanTheClientsFramesEndTheWatch() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        _ = try await s.client.create(.configMaps, namespace: "default", cm("small"))
        let address = s.address
        let token = s.tokens.admin
        let big = String(repeating: "x", count: 10_000)
        // Live: a watch from now, then a 10 KB object, for a client that takes 4 KiB frames.
        let live = try await offThread { () -> RawPeer in
            let p = try RawPeer(address)
            #expect(p.handshake(token, maxFrameBytes: 4096))
            p.request(1, ["verb": "watch", "resource": "configmaps", "namespace": "default", "resourceVersion": "1"])
            #expect(p.next()?["event"] == "ADDED")
            return p
        }
        _ = try await s.client.create(.configMaps, namespace: "default", cm("big", data: ["v": big]))
        let ended = try await offThread { live.response(1) }
        #expect(ended?["error"]["code"] == 413)
        let message: String = ended.flatMap { $0["error"]["message"].stringValue } ?? ""
        #expect(message.hasPrefix("watch closed: the event at resourceVersion "))
        #expect(live.largestFrame <= 4096)
        // Initial state: the same object is refused before anything too large is sent.
        let initial = try await offThread { () -> JSON? in
            let p = try RawPeer(address)
            #expect(p.handshake(token, maxFrameBytes: 4096))
            p.request(1, ["verb": "watch", "resource": "configmaps", "namespace": "default"])
            let r = p.response(1)
            #expect(p.largestFrame <= 4096)
            return r
        }
        #expect(initial?["error"]["code"] == 413)
    }

    @Test func aPeerThatTakesNoOutputIsClosedAfterTheWriteTimeout() async throws {
        let s = try await InProcessServer.start { $0.writeTimeoutSeconds = 1 }
        defer { Task { await s.stop() } }
        try await createBig(s, count: 6, bytes: 500_000)
        let context = await s.server.context!
        let before = context.connections.withLock { $0.count }
        let address = s.address
        let token = s.tokens.admin
        let p = try await offThread { () -> RawPeer in
            let p = try RawPeer(address)
            p.setReceiveBuffer(4096)
            #expect(p.handshake(token))
            // More than the kernel's socket buffers hold.
            for id in 1...4 { p.request(id, ["verb": "list", "resource": "configmaps", "namespace": "default"]) }
            return p
        }
        try await eventuallyTrue(3) { context.connections.withLock { $0.count } == before + 1 }
        try await eventuallyTrue(8) { context.connections.withLock { $0.count } == before }
        withExtendedLifetime(p) {}
    }
}

/// Watches that resume from far back are caught up in pages outside the hub's lock while
/// writes go on: every change once, in order, then live ones, with no gap at the switch.
@Suite(.serialized) struct WatchCatchUpTests {
    @Test func resumingFromTheLogWhileWritesGoOnMissesNothing() async throws {
        let s = try await InProcessServer.start { $0.watch.historyEvents = 50 }
        defer { Task { await s.stop() } }
        let start = try await s.client.create(.configMaps, namespace: "default", cm("first"))
        // 2,500 changes: more than two catch-up pages, most of them only in the log.
        try await withThrowingTaskGroup(of: Void.self) { g in
            for w in 0..<10 {
                g.addTask { for i in 0..<250 { _ = try await s.client.create(.configMaps, namespace: "default", cm("c\(w)-\(i)")) } }
            }
            try await g.waitForAll()
        }
        var req = Request(verb: .watch, resource: "configmaps", namespace: "default")
        req.resourceVersion = String(rv(start))
        let events = try await s.client.watch(req)
        // More writes while it catches up.
        let writer = Task { for i in 0..<300 { _ = try await s.client.create(.configMaps, namespace: "default", cm("late\(i)")) } }
        var seen: [Int64] = []
        var names = Set<String>()
        for try await e in events {
            seen.append(rv(e.object))
            names.insert(e.object["metadata"]["name"].stringValue ?? "")
            if seen.count == 2800 { break }
        }
        try await writer.value
        #expect(seen == seen.sorted() && Set(seen).count == 2800)
        #expect(names.count == 2800 && names.contains("late299") && names.contains("c9-249"))
    }
}
