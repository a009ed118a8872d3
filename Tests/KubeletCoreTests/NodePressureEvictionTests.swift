import ControllerRuntime
import Foundation
import Testing
import Wire
@testable import KubeletCore

/// Node-pressure eviction: the ranking, the message, one eviction per interval, and the
/// admission of BestEffort pods under MemoryPressure.
@Suite(.serialized) struct NodePressureEvictionTests {
    /// Fixed host readings and per-pod usage (by pod name).
    struct FakeSignals: EvictionSignals {
        var available: Int64
        var usage: [String: PodMemoryUsage]
        var psi: Double?
        func readings() -> PressureReadings {
            PressureReadings(memoryAvailable: available, memoryTotal: 16 << 30, memorySomeAvg10: psi, processes: 100, processLimit: 100_000)
        }
        func memoryUsage(_ pod: Pod) -> PodMemoryUsage? { usage[pod.metadata.name ?? ""] }
    }

    static let mi: Int64 = 1 << 20

    @Test func rankingPutsUsageAboveRequestsFirstThenLowPriorityThenLargestExcess() {
        let pods = [
            EvictionCandidate(uid: "under-request", memoryRequest: 64 * Self.mi, priority: 0, memoryUsage: 32 * Self.mi),
            EvictionCandidate(uid: "best-effort-high-priority", memoryRequest: 0, priority: 1000, memoryUsage: 500 * Self.mi),
            EvictionCandidate(uid: "best-effort-small", memoryRequest: 0, priority: 0, memoryUsage: 10 * Self.mi),
            EvictionCandidate(uid: "burstable-over", memoryRequest: 10 * Self.mi, priority: 0, memoryUsage: 100 * Self.mi),
            EvictionCandidate(uid: "under-request-low-priority", memoryRequest: 64 * Self.mi, priority: -5, memoryUsage: 1 * Self.mi),
        ]
        #expect(EvictionRanking.rankMemoryPressure(pods).map(\.uid) == [
            "burstable-over", "best-effort-small", "best-effort-high-priority", "under-request-low-priority", "under-request",
        ])
    }

    @Test func messagesReadAsKubernetesWritesThem() {
        #expect(EvictionRanking.memoryMessage(threshold: "100Mi", available: 12345 * 1024)
            == "The node was low on resource: memory. Threshold quantity: 100Mi, available: 12345Ki. ")
        #expect(EvictionRanking.memoryMessage(threshold: "100Mi", available: 225800 * 1024,
                                              containers: [("big", 4395616 * 1024, nil), ("small", 1024, Quantity("128M"))])
            == "The node was low on resource: memory. Threshold quantity: 100Mi, available: 225800Ki. "
            + "Container big was using 4395616Ki, request is 0, has larger consumption of memory. ")
        #expect(EvictionRanking.binarySI(100 * Self.mi) == "100Mi")
        #expect(EvictionRanking.binarySI(1000) == "1000")
    }

    static func podJSON(_ name: String, memoryRequest: String? = nil, priority: Int? = nil) -> JSON {
        var c: JSON = ["name": "c", "command": ["sleep", "300"]]
        if let memoryRequest { c["resources"] = ["requests": ["memory": .string(memoryRequest)]] }
        var spec: JSON = ["nodeName": "n1", "containers": [c]]
        if let priority { spec["priority"] = .number(String(priority)) }
        return ["metadata": ["name": .string(name), "namespace": "default", "uid": .string("u-\(name)")], "spec": spec]
    }

    @Test func oneRankedPodIsEvictedPerIntervalWithGraceZero() async throws {
        try await PodWorkerFixture.run { f in
            let manager = PodManager(environment: f.environment, capacity: NodeAllocatable(milliCPU: 4000, memory: 4 << 30, pods: 10))
            for json in [Self.podJSON("be"), Self.podJSON("hi", priority: 1000), Self.podJSON("bu", memoryRequest: "64Mi")] {
                await manager.handle(.added(json))
            }
            let deadline = Date().addingTimeInterval(10)
            while try await f.runtime.runtime.listContainers(ContainerFilter(state: .running)).count < 3, Date() < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let signals = FakeSignals(available: 12345 * 1024, usage: [
                "be": PodMemoryUsage(total: 50 * Self.mi, containers: ["c": 50 * Self.mi]),
                "hi": PodMemoryUsage(total: 80 * Self.mi),
                "bu": PodMemoryUsage(total: 32 * Self.mi),
            ])
            let thresholds = try EvictionThreshold.parseList("memory.available<100Mi")
            let eviction = EvictionManager(pods: manager, signals: signals, thresholds: thresholds, clock: f.clock, interval: 10)
            #expect(await eviction.synchronize() == "u-be")
            #expect(await eviction.synchronize() == nil)
            f.clock.advance(by: 9)
            #expect(await eviction.synchronize() == nil)
            f.clock.advance(by: 1)
            #expect(await eviction.synchronize() == "u-hi")
            f.clock.advance(by: 10)
            #expect(await eviction.synchronize() == "u-bu")
            f.clock.advance(by: 10)
            #expect(await eviction.synchronize() == nil)

            let message = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 12345Ki. "
                + "Container c was using 50Mi, request is 0, has larger consumption of memory. "
            #expect(f.api.events.filter { $0.hasPrefix("Evicted") } == [
                "Evicted: " + message,
                "Evicted: The node was low on resource: memory. Threshold quantity: 100Mi, available: 12345Ki. ",
                "Evicted: The node was low on resource: memory. Threshold quantity: 100Mi, available: 12345Ki. ",
            ])
            let be = try #require(await manager.worker(uid: "u-be"))
            let status = await be.currentStatus()
            #expect(status.phase == "Failed" && status.reason == "Evicted" && status.message == message)
            let disruption = try #require(status.conditions?.first { $0.type == "DisruptionTarget" })
            #expect(disruption.status == "True" && disruption.reason == "TerminationByKubelet" && disruption.message == message)
            // Grace 0: every container is killed.
            while try await f.runtime.runtime.listContainers(ContainerFilter(state: .running)).count > 0, Date() < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await f.runtime.runtime.listContainers(ContainerFilter(state: .running)).isEmpty)
            for name in ["be", "hi", "bu"] { await manager.handle(.deleted(Self.podJSON(name), finalStateUnknown: false)) }
            while await manager.workerCount > 0, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    @Test func bestEffortPodsAreRefusedUnderMemoryPressure() async throws {
        try await PodWorkerFixture.run { f in
            let manager = PodManager(environment: f.environment, capacity: NodeAllocatable(milliCPU: 4000, memory: 4 << 30, pods: 10))
            let thresholds = try EvictionThreshold.parseList("memory.available<100Mi")
            let eviction = EvictionManager(pods: manager, signals: FakeSignals(available: 50 * Self.mi, usage: [:]),
                                           thresholds: thresholds, clock: f.clock)
            #expect(await eviction.synchronize() == nil)
            await manager.handle(.added(Self.podJSON("be")))
            await manager.handle(.added(Self.podJSON("bu", memoryRequest: "64Mi")))
            let be = try #require(await manager.worker(uid: "u-be"))
            let status = await be.currentStatus()
            #expect(status.phase == "Failed" && status.reason == "Evicted")
            #expect(status.message == "Pod was rejected: The node had condition: [MemoryPressure]. ")
            #expect(f.api.events.filter { $0.hasPrefix("Evicted") } == ["Evicted: The node had condition: [MemoryPressure]. "])
            #expect(await manager.worker(uid: "u-bu")?.isActive == true)
            // Memory stalls alone (PSI) refuse nothing and evict nothing.
            let stalls = EvictionManager(pods: manager, signals: FakeSignals(available: 8 << 30, usage: ["bu": PodMemoryUsage(total: 1 << 30)], psi: 50),
                                         thresholds: thresholds, clock: f.clock)
            #expect(await stalls.synchronize() == nil)
            await manager.handle(.added(Self.podJSON("be2")))
            #expect(await manager.worker(uid: "u-be2")?.isActive == true)
            #expect(await manager.worker(uid: "u-bu")?.isActive == true)
            for name in ["be", "bu", "be2"] { await manager.handle(.deleted(Self.podJSON(name), finalStateUnknown: false)) }
            let deadline = Date().addingTimeInterval(10)
            while await manager.workerCount > 0, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        }
    }
}
