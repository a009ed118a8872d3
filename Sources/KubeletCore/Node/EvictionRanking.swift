import Wire

/// One running pod as the eviction manager weighs it.
public struct EvictionCandidate: Sendable, Equatable {
    public var uid: String
    /// The pod's memory request (sum over its containers), bytes; 0 when none.
    public var memoryRequest: Int64
    /// spec.priority (0 when unset).
    public var priority: Int32
    /// Memory the pod's cgroup uses now, bytes.
    public var memoryUsage: Int64

    public init(uid: String, memoryRequest: Int64, priority: Int32, memoryUsage: Int64) {
        self.uid = uid
        self.memoryRequest = memoryRequest
        self.priority = priority
        self.memoryUsage = memoryUsage
    }
}

/// Kubernetes' order of eviction under memory pressure (`rankMemoryPressure`): pods whose
/// usage exceeds their requests first, then lower priority first, then the larger usage
/// above requests first. BestEffort pods request nothing, so any usage puts them first.
public enum EvictionRanking {
    public static func rankMemoryPressure(_ pods: [EvictionCandidate]) -> [EvictionCandidate] {
        // Stable on ties: the given order decides.
        pods.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            let xOver = x.memoryUsage > x.memoryRequest, yOver = y.memoryUsage > y.memoryRequest
            if xOver != yOver { return xOver }
            if x.priority != y.priority { return x.priority < y.priority }
            let xAbove = x.memoryUsage.saturatingSubtract(x.memoryRequest), yAbove = y.memoryUsage.saturatingSubtract(y.memoryRequest)
            if xAbove != yAbove { return xAbove > yAbove }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Kubernetes' eviction message for memory (`evictionMessage`): the threshold, what was
    /// available, and for each container using more than it requests, its usage.
    /// `containers` are (name, usage in bytes, request as written in the spec or nil).
    public static func memoryMessage(threshold: String, available: Int64, containers: [(String, Int64, Quantity?)] = []) -> String {
        var m = "The node was low on resource: memory. Threshold quantity: \(threshold), available: \(binarySI(available)). "
        for (name, usage, request) in containers where usage > (ResourceAmount.bytes(request) ?? 0) {
            m += "Container \(name) was using \(binarySI(usage)), request is \(request?.description ?? "0"), has larger consumption of memory. "
        }
        return m
    }

    /// A byte count as Kubernetes prints a BinarySI quantity: the largest of Ki, Mi, Gi, Ti,
    /// Pi, Ei that divides it exactly, else plain (`225800Ki`, `100Mi`, `1000`).
    public static func binarySI(_ bytes: Int64) -> String {
        guard bytes != 0 else { return "0" }
        var v = bytes
        var i = 0
        let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
        while i < suffixes.count - 1, v % 1024 == 0 { v /= 1024; i += 1 }
        return "\(v)\(suffixes[i])"
    }

    /// The memory requests of a pod's (app) containers, summed (saturating: a request too
    /// large for Int64, stored before the apiserver refused it, must not trap).
    public static func memoryRequest(_ pod: Pod) -> Int64 {
        (pod.spec?.containers ?? []).reduce(0) { $0.saturatingAdd(ResourceAmount.bytes($1.resources?.requests?["memory"]) ?? 0) }
    }
}
