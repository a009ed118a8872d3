/// What a node agent observes about its host, behind a protocol so simulated nodes can
/// supply fixed values.
protocol NodeObserver: Sendable {
    func systemInfo() -> NodeSystemInfo
    func capacity() -> [String: Quantity]
    /// InternalIP (the address this host uses to reach `server`) and Hostname.
    func addresses(reaching server: HostPort, hostname: String) -> [NodeAddress]
    func pressure() -> ObservedPressure
    /// What pods may use: the capacity less what the node keeps for itself.
    func allocatable(capacity: [String: Quantity]) -> [String: Quantity]
}

extension NodeObserver {
    /// Simulated nodes keep nothing back.
    func allocatable(capacity: [String: Quantity]) -> [String: Quantity] { capacity }
}

/// Resource pressure as the kubelet reports it in node conditions.
struct ObservedPressure: Equatable, Sendable {
    var memory: Bool
    var disk: Bool
    var pid: Bool
    /// What said there is memory pressure, for the condition message (`memory.available`,
    /// `PSI`), "" when nothing did; "simulated" for simulated nodes.
    var source: String

    static let none = ObservedPressure(memory: false, disk: false, pid: false, source: "simulated")
}
