import ControllerRuntime
import Testing
@testable import apiserver

/// The ReplicaSet and DaemonSet controllers' pod fan-out (`PodControl`) against a real
/// server: what it makes, the events on the owner, and what stays awaited.
@Suite(.serialized) struct PodControlTests {
    static func owner(namespace: String = "default") -> JSON {
        var rs = ReplicaSetControllerTests.replicaSet("web", replicas: 7)
        rs[path: ["metadata", "uid"]] = "3f0e1c2a-0000-4000-8000-0000000000c1"
        rs[path: ["metadata", "namespace"]] = .string(namespace)
        return rs
    }

    static func events(_ s: InProcessServer) async throws -> [String] {
        try await s.client.list(.events, namespace: "default").items
            .map { "\($0["type"].stringValue ?? "") \($0["reason"].stringValue ?? ""): \($0["message"].stringValue ?? "")" }.sorted()
    }

    /// Seven creations, the third refused: batches of 1 and 2 run (the second with the
    /// refusal), the last 4 are never tried; 5 stop being awaited, 2 still are.
    @Test func aFailedBatchStopsTheLaterCreationsAndCountsThemAsObserved() async throws {
        let s = try await InProcessServer.start()
        let events = EventRecorder(client: s.client, component: ReplicaSetController.component)
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            let expectations = ControllerExpectations(clock: clock)
            let rs = Self.owner()
            let control = PodControl(client: s.client, events: events, expectations: expectations, owner: rs, ownerType: .replicaSets, key: "default/web")
            let good = PodTemplates.pod(from: rs["spec"]["template"], owner: rs, .replicaSets)
            var bad = good
            bad[path: ["spec", "containers"]] = [["image": "nginx"]]
            control.expect(creations: 7)
            let made = await control.createAll([good, good, bad, good, good, good, good])
            #expect(made.created == 2)
            #expect(made.error?.message == "Pod in version \"v1\" cannot be handled as a Pod: spec.containers[0].name: Required value")
            #expect(try await s.client.list(.pods, namespace: "default").items.count == 2)
            expectations.creationObserved("default/web")
            #expect(!expectations.satisfied("default/web"))
            expectations.creationObserved("default/web")
            #expect(expectations.satisfied("default/web"))
            await events.flush()
            let names = try await s.client.list(.pods, namespace: "default").items.compactMap { $0["metadata"]["name"].stringValue }.sorted()
            #expect(try await Self.events(s) == [
                "Normal SuccessfulCreate: Created pod: \(names[0])", "Normal SuccessfulCreate: Created pod: \(names[1])",
                "Warning FailedCreate: Error creating: Pod in version \"v1\" cannot be handled as a Pod: spec.containers[0].name: Required value",
            ])
        } catch { Issue.record("\(error)") }
        events.close()
        await s.stop()
    }

    /// Four deletions at once: two go through; one pod is already gone (404) and one uid
    /// no longer matches (409): neither is an error, and neither stays awaited.
    @Test func deletionsRunAtOnceAndAPodAlreadyGoneIsNoError() async throws {
        let s = try await InProcessServer.start()
        let events = EventRecorder(client: s.client, component: ReplicaSetController.component)
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            let expectations = ControllerExpectations(clock: clock)
            let control = PodControl(client: s.client, events: events, expectations: expectations, owner: Self.owner(), ownerType: .replicaSets,
                                     key: "default/web")
            let a = try await s.client.create(.pods, namespace: "default", ReplicaSetControllerTests.labeled("a"))
            let b = try await s.client.create(.pods, namespace: "default", ReplicaSetControllerTests.labeled("b"))
            var replaced = try await s.client.create(.pods, namespace: "default", ReplicaSetControllerTests.labeled("c"))
            replaced[path: ["metadata", "uid"]] = "3f0e1c2a-0000-4000-8000-0000000000c2"
            var gone = ReplicaSetControllerTests.labeled("gone")
            gone[path: ["metadata", "namespace"]] = "default"
            gone[path: ["metadata", "uid"]] = "3f0e1c2a-0000-4000-8000-0000000000c3"
            control.expect(deleting: [a, b, replaced, gone])
            let result = await control.deleteAll([a, b, replaced, gone])
            #expect(result.deleted == 2)
            #expect(result.error == nil)
            #expect(try await s.client.list(.pods, namespace: "default").items.compactMap { $0["metadata"]["name"].stringValue } == ["c"])
            expectations.deletionObserved("default/web", uid: a["metadata"]["uid"].stringValue ?? "")
            #expect(!expectations.satisfied("default/web"))
            expectations.deletionObserved("default/web", uid: b["metadata"]["uid"].stringValue ?? "")
            #expect(expectations.satisfied("default/web"))
            await events.flush()
            #expect(try await Self.events(s) == ["Normal SuccessfulDelete: Deleted pod: a", "Normal SuccessfulDelete: Deleted pod: b"])
        } catch { Issue.record("\(error)") }
        events.close()
        await s.stop()
    }

    /// A namespace being terminated refuses every creation: as Kubernetes, that is no
    /// error and counts as made (so it stays awaited until the owner goes with it).
    @Test func aTerminatingNamespaceIsNoErrorAndStaysAwaited() async throws {
        let s = try await InProcessServer.start()
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            let expectations = ControllerExpectations(clock: clock)
            _ = try await s.client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "closing"]])
            _ = try await s.client.delete(.namespaces, name: "closing")
            let rs = Self.owner(namespace: "closing")
            let control = PodControl(client: s.client, events: nil, expectations: expectations, owner: rs, ownerType: .replicaSets, key: "closing/web")
            control.expect(creations: 2)
            let made = await control.createAll(Array(repeating: PodTemplates.pod(from: rs["spec"]["template"], owner: rs, .replicaSets), count: 2))
            #expect(made.created == 2)
            #expect(made.error == nil)
            #expect(try await s.client.list(.pods, namespace: "closing").items.isEmpty)
            #expect(!expectations.satisfied("closing/web"))
        } catch { Issue.record("\(error)") }
        await s.stop()
    }
}
