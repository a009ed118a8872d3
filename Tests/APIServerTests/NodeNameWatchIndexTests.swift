import Foundation
import Synchronization
import Testing
import Wire
@testable import apiserver

private func pod(_ name: String, node: String?) -> JSON {
    var p: JSON = ["metadata": ["name": .string(name), "namespace": "default"], "spec": ["containers": [["name": "c", "image": "busybox"]]]]
    if let node { p[path: ["spec", "nodeName"]] = .string(node) }
    return p
}

private final class Seen: Sendable {
    let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

@Suite(.serialized) struct NodeNameWatchIndexTests {
    /// Watches of one node's pods (`spec.nodeName=X`) are found by one lookup of X, not by
    /// checking every pod watch's filter on every pod change.
    @Test func podWatchesOfOneNodeAreIndexedByNodeNameAndSeeOnlyThatNode() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        func watch(_ selector: String) async throws -> (Task<Void, Never>, Seen) {
            var req = Request(verb: .watch, resource: "pods", namespace: "default")
            req.fieldSelector = selector
            let stream = try await c.watch(req)
            let seen = Seen()
            let t = Task {
                do {
                    for try await e in stream { seen.append("\(e.type) \(e.object["metadata"]["name"].stringValue ?? "")") }
                } catch {}
            }
            return (t, seen)
        }
        let (t1, n1) = try await watch("spec.nodeName=n1")
        let (t2, unbound) = try await watch("spec.nodeName=")
        let (t3, notN1) = try await watch("spec.nodeName!=n1")
        defer { t1.cancel(); t2.cancel(); t3.cancel() }
        let hub = await s.server.hub!
        try await eventuallyTrue(5) { hub.watcherCount == 3 }
        let index = hub.state.withLock { s in
            (s.watchers["pods"]?.all.count, s.watchers["pods"]?.byNodeName["n1"]?.count, s.watchers["pods"]?.byNodeName[""]?.count)
        }
        #expect(index.0 == 1 && index.1 == 1 && index.2 == 1)
        _ = try await c.create(.pods, pod("a", node: "n1"))
        _ = try await c.create(.pods, pod("b", node: "n2"))
        _ = try await c.create(.pods, pod("u", node: nil))
        var a = try await c.get(.pods, namespace: "default", name: "a")
        a[path: ["metadata", "labels"]] = ["x": "y"]
        _ = try await c.update(.pods, a)
        try await c.delete(.pods, namespace: "default", name: "a", gracePeriodSeconds: 0)
        try await eventuallyTrue(5) { n1.all.count == 3 && notN1.all.count == 2 }
        #expect(n1.all == ["ADDED a", "MODIFIED a", "DELETED a"])
        #expect(unbound.all == ["ADDED u"])
        #expect(notN1.all == ["ADDED b", "ADDED u"])
        await s.stop()
    }
}
