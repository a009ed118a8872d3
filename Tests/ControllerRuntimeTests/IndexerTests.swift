import ControllerRuntime
import Testing
import Wire

private func pod(_ ns: String, _ name: String, node: String?, owners: [String]) -> JSON {
    var o: JSON = ["metadata": ["name": .string(name), "namespace": .string(ns),
                                "ownerReferences": .array(owners.map { ["uid": .string($0)] })]]
    if let node { o[path: ["spec", "nodeName"]] = .string(node) }
    return o
}

private func keys(_ objects: [JSON]) -> Set<String> { Set(objects.map(Indexer.key)) }

@Suite struct IndexerTests {
    @Test func indexesFollowPutAndRemove() {
        let ix = Indexer()
        ix.put(pod("a", "p1", node: "n1", owners: ["u1", "u2"]))
        ix.put(pod("b", "p2", node: "n1", owners: ["u2"]))
        ix.put(pod("a", "p3", node: nil, owners: []))
        #expect(keys(ix.byIndex(Indexes.namespace, "a")) == ["a/p1", "a/p3"])
        #expect(keys(ix.byIndex(Indexes.nodeName, "n1")) == ["a/p1", "b/p2"])
        #expect(keys(ix.byIndex(Indexes.ownerUID, "u2")) == ["a/p1", "b/p2"])
        // Replacing an object re-indexes it: old values no longer find it.
        let old = ix.put(pod("a", "p1", node: "n2", owners: []))
        #expect(old?["spec"]["nodeName"] == "n1")
        #expect(keys(ix.byIndex(Indexes.nodeName, "n1")) == ["b/p2"])
        #expect(keys(ix.byIndex(Indexes.nodeName, "n2")) == ["a/p1"])
        #expect(ix.indexKeys(Indexes.ownerUID, "u1") == [])
        ix.remove(key: "b/p2")
        #expect(ix.byIndex(Indexes.nodeName, "n1").isEmpty)
        #expect(ix.byIndex(Indexes.ownerUID, "u2").isEmpty)
        #expect(ix.count == 2)
        #expect(ix.get(namespace: "a", name: "p3") != nil)
        #expect(ix.remove(key: "missing") == nil)
    }

    @Test func aCustomIndexCoversObjectsAlreadyCached() {
        let ix = Indexer()
        ix.put(["metadata": ["name": "n1", "labels": ["zone": "z1"]]])
        ix.addIndex("zone") { $0["metadata"]["labels"]["zone"].stringValue.map { [$0] } ?? [] }
        ix.put(["metadata": ["name": "n2", "labels": ["zone": "z1"]]])
        #expect(keys(ix.byIndex("zone", "z1")) == ["n1", "n2"])
        #expect(ix.byIndex("no-such-index", "z1").isEmpty)
    }
}

@Suite struct FakeClockTests {
    @Test func sleepersWakeOnlyWhenTheClockReachesTheirDeadline() async {
        let clock = FakeClock(now: 100)
        let woke = Task { () -> Double in
            try? await clock.sleep(until: 110)
            return clock.now
        }
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: 5)
        #expect(clock.sleeperCount == 1)
        clock.advance(by: 5)
        #expect(await woke.value == 110)
        // A deadline already passed returns at once.
        try? await clock.sleep(until: 50)
    }

    @Test func cancellingASleeperRemovesIt() async {
        let clock = FakeClock()
        let t = Task { try await clock.sleep(for: 60) }
        #expect(await eventually { clock.sleeperCount == 1 })
        t.cancel()
        #expect(await eventually { clock.sleeperCount == 0 })
        await #expect(throws: CancellationError.self) { try await t.value }
    }
}
