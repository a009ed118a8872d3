import Wire

/// What the node keeps for itself: `--system-reserved`, `--kube-reserved` and the hard
/// eviction thresholds, all taken off the capacity to give the allocatable resources.
public struct NodeReservations: Sendable, Equatable {
    public var systemReserved: [String: Quantity]
    public var kubeReserved: [String: Quantity]
    public var evictionHard: [EvictionThreshold]

    public init(systemReserved: [String: Quantity] = [:], kubeReserved: [String: Quantity] = [:],
                evictionHard: [EvictionThreshold] = (try? EvictionThreshold.parseList(EvictionThreshold.defaultHard)) ?? []) {
        self.systemReserved = systemReserved
        self.kubeReserved = kubeReserved
        self.evictionHard = evictionHard
    }

    /// `cpu=500m,memory=1Gi,ephemeral-storage=1Gi,pid=1000` (the kubelet's syntax).
    public static func parseReserved(_ text: String, flag: String) throws(NodeConfigError) -> [String: Quantity] {
        var out: [String: Quantity] = [:]
        for item in text.split(separator: ",") where !item.isEmpty {
            let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw NodeConfigError("\(flag): \"\(item)\" is not RESOURCE=QUANTITY (e.g. memory=1Gi)") }
            guard ["cpu", "memory", "ephemeral-storage", "pid"].contains(kv[0]) else {
                throw NodeConfigError("\(flag): unknown resource \"\(kv[0])\" (cpu, memory, ephemeral-storage or pid)")
            }
            guard let v = Quantities.value(kv[1]), v >= 0 else { throw NodeConfigError("\(flag): \"\(kv[1])\" for \(kv[0]) is not a quantity") }
            out[kv[0]] = Quantity(kv[1])
        }
        return out
    }

    /// Capacity minus both reservations and, for memory and ephemeral storage, the
    /// `memory.available` and `nodefs.available` hard thresholds; never below zero.
    /// Resources without a reservation keep their capacity's text.
    public func allocatable(capacity: [String: Quantity]) -> [String: Quantity] {
        var out = capacity
        for (name, cap) in capacity {
            let isCPU = name == "cpu"
            let amount = { (q: Quantity?) -> Int64 in (isCPU ? ResourceAmount.milliCPU(q) : ResourceAmount.bytes(q)) ?? 0 }
            var reserved = amount(systemReserved[name]) + amount(kubeReserved[name])
            let capacityValue = amount(cap)
            let signal = name == "memory" ? "memory.available" : name == "ephemeral-storage" ? "nodefs.available" : nil
            if let signal, let t = evictionHard.first(where: { $0.signal == signal }) { reserved += t.value(capacity: capacityValue) }
            guard reserved > 0 else { continue }
            out[name] = Self.format(max(0, capacityValue - reserved), cpu: isCPU)
        }
        return out
    }

    /// Millicores as `2` or `1500m`; other amounts as `123Ki` when whole KiB, else plain.
    static func format(_ v: Int64, cpu: Bool) -> Quantity {
        if cpu { return Quantity(v % 1000 == 0 ? "\(v / 1000)" : "\(v)m") }
        return Quantity(v % 1024 == 0 && v > 0 ? "\(v / 1024)Ki" : "\(v)")
    }
}
