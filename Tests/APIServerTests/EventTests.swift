import Foundation
import ControllerRuntime
import Testing
@testable import apiserver

@Suite(.serialized) struct EventTests {
    func node(_ name: String) -> ObjectReference { ObjectReference(kind: "Node", name: name, uid: name) }

    @Test func repeatsBumpTheCountOfOneEvent() async throws {
        let s = try await InProcessServer.start()
        let rec = EventRecorder(client: s.client, component: "kubelet", host: "n1")
        rec.record(node("n1"), reason: "NodeReady", message: "Node n1 status is now: NodeReady")
        rec.record(node("n1"), reason: "NodeReady", message: "Node n1 status is now: NodeReady")
        rec.record(node("n1"), type: "Warning", reason: "Rebooted", message: "Node n1 has been rebooted")
        await rec.flush()
        let evs = try await s.client.list(.events, namespace: "default").items
        #expect(evs.count == 2)
        let ready = try #require(evs.first { $0["reason"] == "NodeReady" })
        #expect(ready["count"] == 2)
        #expect(ready["source"]["component"] == "kubelet" && ready["source"]["host"] == "n1")
        #expect(ready["involvedObject"]["kind"] == "Node" && ready["involvedObject"]["uid"] == "n1")
        #expect((ready["firstTimestamp"].stringValue ?? "") <= (ready["lastTimestamp"].stringValue ?? ""))
        #expect(evs.first { $0["reason"] == "Rebooted" }?["type"] == "Warning")
        #expect(rec.lost == 0)
        rec.close()
        await s.stop()
    }

    /// Recording never waits on the apiserver: with nobody listening, events are dropped
    /// past the queue bound and the caller goes on at once.
    @Test func recordingNeverBlocksWhenTheServerIsDown() async throws {
        let client = Client(config: ClientConfig(server: HostPort(host: "127.0.0.1", port: 1), token: "x", clientName: "test",
                                                 connectTimeoutMs: 200, requestTimeoutSeconds: 1))
        let rec = EventRecorder(client: client, component: "test", maxPending: 10)
        let start = Date()
        for i in 0..<1000 { rec.record(node("n\(i)"), reason: "Test", message: "m") }
        #expect(Date().timeIntervalSince(start) < 5)
        // At most the queue's 10 plus the one the sender holds are still waiting; the rest
        // were dropped (nothing can have been sent).
        let counts = rec.counts
        #expect(counts.pending <= 11 && counts.sent == 0 && counts.lost + counts.pending == 1000)
        rec.close()
        client.close()
    }

    /// The time to live counts from an event's last occurrence: its creation, or the
    /// latest repeat (`lastTimestamp`), as an etcd lease renewed on every write would.
    /// A timestamp from a clock running ahead counts only from when the controller saw it.
    @Test func expiredEventsAreDeletedAndRecentOnesKept() async throws {
        let s = try await InProcessServer.start()
        let now = Timestamp.nowSeconds()
        for (name, last) in [("old", now), ("repeated", now), ("future", now + 1_000_000)] {
            var e = try JSON(encoding: Event(metadata: ObjectMeta(name: name, namespace: "default"), involvedObject: node("n1"),
                                             reason: "R", message: "m"))
            e["lastTimestamp"] = .string(Timestamp.format(last))
            _ = try await s.client.create(.events, namespace: "default", e)
        }
        let ttl = EventTTLController(client: s.client, logger: .init(label: "test"), ttl: 3600)
        #expect(try await ttl.expire(now: now + 60) == 0)
        // A repeat 3000 s later.
        _ = try await s.client.patch(.events, namespace: "default", name: "repeated",
                                     ["count": 2, "lastTimestamp": .string(Timestamp.format(now + 3000))])
        #expect(try await ttl.expire(now: now + 3700) == 2)
        let left = try await s.client.list(.events, namespace: "default").items.compactMap { $0["metadata"]["name"].stringValue }
        #expect(left == ["repeated"])
        await s.stop()
    }

    /// The controller's passes run on its clock: with a fake one, nothing is deleted until the
    /// clock has moved past the TTL and a period has elapsed.
    @Test func expiryPassesRunOnTheInjectedClock() async throws {
        let s = try await InProcessServer.start()
        let now = Timestamp.nowSeconds()
        var e = try JSON(encoding: Event(metadata: ObjectMeta(name: "old", namespace: "default"), involvedObject: node("n1"),
                                         reason: "R", message: "m"))
        e["lastTimestamp"] = .string(Timestamp.format(now))
        _ = try await s.client.create(.events, namespace: "default", e)
        let clock = FakeClock(now: now)
        let ttl = EventTTLController(client: s.client, logger: .init(label: "test"), ttl: 100, clock: clock)
        #expect(ttl.period == 10)
        let run = Task { await ttl.run() }
        defer { run.cancel() }
        // A pass at +10 s keeps the event (it is 10 s old, the TTL is 100 s).
        try await eventuallyTrue(5) { clock.sleeperCount == 1 }
        clock.advance(by: 10)
        try await eventuallyTrue(5) { clock.sleeperCount == 1 }
        #expect(try await s.client.getIfPresent(.events, namespace: "default", name: "old") != nil)
        clock.advance(by: 100)
        try await eventuallyTrue(5) { try await s.client.getIfPresent(.events, namespace: "default", name: "old") == nil }
        await s.stop()
    }
}
