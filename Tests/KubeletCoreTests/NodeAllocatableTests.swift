import Testing
import Wire
@testable import KubeletCore

/// Allocatable and the pressure conditions from readings, with literal numbers.
@Suite struct NodeAllocatableTests {
    let capacity: [String: Quantity] = [
        "cpu": Quantity("4"), "memory": Quantity("8045596Ki"), "ephemeral-storage": Quantity("102400000Ki"), "pods": Quantity("110"),
    ]

    @Test func defaultsTakeOnlyTheHardEvictionThresholds() throws {
        let r = NodeReservations()
        // memory: 8045596Ki - 100Mi; storage: 90 % of 102400000Ki.
        #expect(r.allocatable(capacity: capacity) == [
            "cpu": Quantity("4"), "memory": Quantity("7943196Ki"), "ephemeral-storage": Quantity("92160000Ki"), "pods": Quantity("110"),
        ])
    }

    @Test func reservationsAndThresholdsAddUp() throws {
        let r = NodeReservations(systemReserved: try NodeReservations.parseReserved("cpu=500m,memory=1Gi", flag: "--system-reserved"),
                                 kubeReserved: try NodeReservations.parseReserved("cpu=250m,memory=512Mi,ephemeral-storage=1Gi", flag: "--kube-reserved"),
                                 evictionHard: try EvictionThreshold.parseList("memory.available<200Mi"))
        // memory: 8045596Ki - 1Gi - 512Mi - 200Mi = 6267932Ki; storage: less 1Gi only (the given list has no nodefs threshold).
        #expect(r.allocatable(capacity: capacity) == [
            "cpu": Quantity("3250m"), "memory": Quantity("6267932Ki"), "ephemeral-storage": Quantity("101351424Ki"), "pods": Quantity("110"),
        ])
        let all = NodeReservations(systemReserved: ["memory": Quantity("100Gi"), "cpu": Quantity("8")], evictionHard: [])
        #expect(all.allocatable(capacity: capacity)["memory"] == Quantity("0"))
        #expect(all.allocatable(capacity: capacity)["cpu"] == Quantity("0"))
    }

    @Test func badFlagsAreRefusedWithTheirReason() throws {
        #expect(throws: NodeConfigError("--system-reserved: \"memory\" is not RESOURCE=QUANTITY (e.g. memory=1Gi)")) {
            try NodeReservations.parseReserved("memory", flag: "--system-reserved")
        }
        #expect(throws: NodeConfigError("--kube-reserved: unknown resource \"gpu\" (cpu, memory, ephemeral-storage or pid)")) {
            try NodeReservations.parseReserved("gpu=1", flag: "--kube-reserved")
        }
        #expect(throws: NodeConfigError("--kube-reserved: \"lots\" for memory is not a quantity")) {
            try NodeReservations.parseReserved("memory=lots", flag: "--kube-reserved")
        }
        #expect(throws: NodeConfigError("--eviction-hard: \"memory.available>1Gi\" is not SIGNAL<AMOUNT (e.g. memory.available<100Mi)")) {
            try EvictionThreshold.parseList("memory.available>1Gi")
        }
        #expect(throws: NodeConfigError("--eviction-hard: \"120%\" for nodefs.available is not a percentage from 0% to 100%")) {
            try EvictionThreshold.parseList("nodefs.available<120%")
        }
        #expect(throws: NodeConfigError("--eviction-hard: unknown signal \"memory.free\" (known: imagefs.available, imagefs.inodesFree, memory.available, nodefs.available, nodefs.inodesFree, pid.available)")) {
            try EvictionThreshold.parseList("memory.free<1Gi")
        }
        #expect(try EvictionThreshold.parseList("") == [])
    }

    @Test func memoryPressureBelowTheThresholdOrFromPSI() throws {
        let defaults = try EvictionThreshold.parseList(EvictionThreshold.defaultHard)
        func reading(available: Int64, psi: Double?) -> PressureReadings {
            PressureReadings(memoryAvailable: available, memoryTotal: 8 << 30, memorySomeAvg10: psi, processes: 300, processLimit: 32768)
        }
        #expect(NodePressure.evaluate(reading(available: 104_857_600, psi: 0), thresholds: defaults)
            == NodePressure(memory: false, pid: false, memorySignal: ""))
        #expect(NodePressure.evaluate(reading(available: 104_857_599, psi: 0), thresholds: defaults)
            == NodePressure(memory: true, pid: false, memorySignal: "memory.available"))
        #expect(NodePressure.evaluate(reading(available: 4 << 30, psi: 10.5), thresholds: defaults)
            == NodePressure(memory: true, pid: false, memorySignal: "PSI"))
        #expect(NodePressure.evaluate(reading(available: 4 << 30, psi: nil), thresholds: defaults).memory == false)
        // A percentage threshold is of the total.
        #expect(NodePressure.evaluate(reading(available: 858_993_458, psi: nil), thresholds: try EvictionThreshold.parseList("memory.available<10%")).memory)
    }

    @Test func pidPressureAgainstTheLimit() throws {
        func reading(_ processes: Int64) -> PressureReadings {
            PressureReadings(memoryAvailable: 4 << 30, memoryTotal: 8 << 30, memorySomeAvg10: nil, processes: processes, processLimit: 32768)
        }
        // Default: under 10 % (3276) left.
        #expect(NodePressure.evaluate(reading(29492), thresholds: []).pid == false)
        #expect(NodePressure.evaluate(reading(29493), thresholds: []).pid == true)
        let explicit = try EvictionThreshold.parseList("pid.available<1000")
        #expect(NodePressure.evaluate(reading(31768), thresholds: explicit).pid == false)
        #expect(NodePressure.evaluate(reading(31769), thresholds: explicit).pid == true)
    }
}
