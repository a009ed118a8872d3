/// What a node agent observes about its host, behind a protocol so simulated nodes can
/// supply fixed values.
protocol NodeObserver: Sendable {
    func systemInfo() -> NodeSystemInfo
    func capacity() -> [String: Quantity]
    /// InternalIP (the address this host uses to reach `server`) and Hostname.
    func addresses(reaching server: HostPort, hostname: String) -> [NodeAddress]
    func pressure() -> ObservedPressure
}

/// Resource pressure as the kubelet reports it in node conditions.
struct ObservedPressure: Equatable, Sendable {
    var memory: Bool
    var disk: Bool
    var pid: Bool
    /// Where the readings came from, for condition messages ("PSI" or "/proc").
    var source: String

    static let none = ObservedPressure(memory: false, disk: false, pid: false, source: "simulated")
}
