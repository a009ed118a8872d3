/// Readings of the host behind the MemoryPressure and PIDPressure conditions.
public struct PressureReadings: Sendable, Equatable {
    /// MemAvailable and MemTotal of /proc/meminfo, in bytes.
    public var memoryAvailable: Int64
    public var memoryTotal: Int64
    /// `some avg10` of /proc/pressure/memory (percent of the last 10 s some task stalled on
    /// memory); nil where PSI is absent.
    public var memorySomeAvg10: Double?
    /// Tasks on the host (the total of /proc/loadavg's 4th field).
    public var processes: Int64
    /// The lower of kernel.pid_max and kernel.threads-max.
    public var processLimit: Int64

    public init(memoryAvailable: Int64, memoryTotal: Int64, memorySomeAvg10: Double?, processes: Int64, processLimit: Int64) {
        self.memoryAvailable = memoryAvailable
        self.memoryTotal = memoryTotal
        self.memorySomeAvg10 = memorySomeAvg10
        self.processes = processes
        self.processLimit = processLimit
    }
}

/// Which pressure conditions hold, and what said so for memory (for the condition message).
public struct NodePressure: Sendable, Equatable {
    public var memory: Bool
    public var pid: Bool
    /// `memory.available` (below the threshold), `PSI` (stalls) or "" when there is none.
    public var memorySignal: String

    /// Memory stalls above this share of the last 10 s count as pressure too.
    public static let psiThreshold = 10.0
    /// Without a `pid.available` threshold, fewer than this share of the limit left is pressure.
    public static let defaultPIDAvailablePercent = 10.0

    /// MemoryPressure: available memory below the `memory.available` hard threshold (default
    /// 100Mi), or PSI `some avg10` above 10 %. PIDPressure: processes left under the limit
    /// below `pid.available` (default 10 % of the limit).
    public static func evaluate(_ r: PressureReadings, thresholds: [EvictionThreshold]) -> NodePressure {
        var p = NodePressure(memory: false, pid: false, memorySignal: "")
        if let t = thresholds.first(where: { $0.signal == "memory.available" }), r.memoryAvailable < t.value(capacity: r.memoryTotal) {
            p.memory = true
            p.memorySignal = "memory.available"
        } else if let psi = r.memorySomeAvg10, psi > psiThreshold {
            p.memory = true
            p.memorySignal = "PSI"
        }
        if r.processLimit > 0 {
            let t = thresholds.first { $0.signal == "pid.available" }
                ?? EvictionThreshold(signal: "pid.available", amount: .percentage(defaultPIDAvailablePercent))
            p.pid = r.processLimit - r.processes < t.value(capacity: r.processLimit)
        }
        return p
    }
}
