import ControllerRuntime
import Foundation
import Testing
import Wire
@testable import KubeletCore

/// The pod manager: admission of pods bound past the scheduler, one worker per UID, removal,
/// and the sandboxes of pods no longer bound here.
@Suite(.serialized) struct PodManagerTests {
    static func podJSON(_ name: String, node: String = "n1", cpu: String? = nil) throws -> JSON {
        var c: JSON = ["name": "c", "command": ["sleep", "300"]]
        if let cpu { c["resources"] = ["requests": ["cpu": .string(cpu)]] }
        return ["metadata": ["name": .string(name), "namespace": "default", "uid": .string("u-\(name)")],
                "spec": ["nodeName": .string(node), "containers": [c]]]
    }

    @Test func podsThatDoNotFitAreRejectedAndGonePodsAreCleanedUp() async throws {
        try await PodWorkerFixture.run { f in
            let manager = PodManager(environment: f.environment, capacity: NodeAllocatable(milliCPU: 1000, memory: 1 << 30, pods: 2))
            await manager.handle(.added(try Self.podJSON("a", cpu: "600m")))
            await manager.handle(.added(try Self.podJSON("b", cpu: "600m")))
            await manager.handle(.added(try Self.podJSON("c")))
            await manager.handle(.added(try Self.podJSON("d")))
            #expect(await manager.workerCount == 4)
            let deadline = Date().addingTimeInterval(10)
            while f.api.events.filter({ $0.hasPrefix("OutOf") }).count < 2, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(f.api.events.filter { $0.hasPrefix("OutOf") } == [
                "OutOfcpu: Node didn't have enough resource: cpu, requested: 600, used: 600, capacity: 1000",
                "OutOfpods: Node didn't have enough resource: pods, requested: 1, used: 2, capacity: 2",
            ])
            let b = try #require(await manager.worker(uid: "u-b"))
            let status = await b.currentStatus()
            #expect(status.phase == "Failed" && status.reason == "OutOfcpu")
            #expect(status.message == "Pod was rejected: Node didn't have enough resource: cpu, requested: 600, used: 600, capacity: 1000")
            // Only the admitted pods run.
            while try await f.runtime.runtime.listContainers(ContainerFilter(state: .running)).count < 2, Date() < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await f.runtime.runtime.listContainers(ContainerFilter()).map { $0.config.labels[ContainerLabels.podName] ?? "" }.sorted() == ["a", "c"])
            // A pod moved to another node is gone from here.
            await manager.handle(.updated(old: try Self.podJSON("a"), new: try Self.podJSON("a", node: "n2")))
            for name in ["b", "c", "d"] { await manager.handle(.deleted(try Self.podJSON(name), finalStateUnknown: false)) }
            while await manager.workerCount > 0, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(await manager.workerCount == 0)
            #expect(try await f.runtime.runtime.listPodSandboxes().isEmpty)
        }
    }

    @Test func sandboxesOfPodsNoLongerBoundAreRemovedAtStart() async throws {
        try await PodWorkerFixture.run { f in
            let kept = try await f.runtime.runtime.runPodSandbox(f.runtime.sandbox("kept"))
            _ = try await f.runtime.runtime.runPodSandbox(f.runtime.sandbox("gone"))
            let manager = PodManager(environment: f.environment, capacity: NodeAllocatable(milliCPU: 1000, memory: 1 << 30, pods: 10))
            await manager.removeOrphans(boundUIDs: ["uid-kept"])
            #expect(try await f.runtime.runtime.listPodSandboxes().map(\.id) == [kept])
        }
    }
}
