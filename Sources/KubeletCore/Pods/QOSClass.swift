import Wire

/// A pod's quality of service class, as Kubernetes computes it (`GetPodQOS`) from the cpu and
/// memory requests and limits of all its containers, init containers included.
public enum QOSClass: String, Sendable, Equatable {
    /// Every container has cpu and memory limits, and requests equal to them.
    case guaranteed = "Guaranteed"
    /// Not Guaranteed, and some container requests or limits cpu or memory.
    case burstable = "Burstable"
    /// No container requests or limits cpu or memory.
    case bestEffort = "BestEffort"

    /// Requests missing where a limit is given count as the limit (the defaulting the
    /// apiserver applies), so an undefaulted pod classifies as its stored form would. Zero
    /// amounts count as unset.
    public static func of(pod: Pod) -> QOSClass {
        var requests: [String: Int64] = [:]
        var limits: [String: Int64] = [:]
        var guaranteed = true
        for c in (pod.spec?.initContainers ?? []) + (pod.spec?.containers ?? []) {
            let amounts = ContainerAmounts(c)
            for (name, value) in amounts.requests { requests[name] = requests[name, default: 0].saturatingAdd(value) }
            for (name, value) in amounts.limits { limits[name] = limits[name, default: 0].saturatingAdd(value) }
            if amounts.limits["cpu"] == nil || amounts.limits["memory"] == nil { guaranteed = false }
        }
        if requests.isEmpty && limits.isEmpty { return .bestEffort }
        if guaranteed && requests.count == limits.count && requests.allSatisfy({ limits[$0.key] == $0.value }) { return .guaranteed }
        return .burstable
    }
}

/// A container's positive cpu (millicores) and memory (bytes) requests and limits, requests
/// defaulted from limits.
struct ContainerAmounts {
    var requests: [String: Int64] = [:]
    var limits: [String: Int64] = [:]

    init(_ c: Container) {
        let lim = c.resources?.limits ?? [:]
        let req = c.resources?.requests ?? [:]
        for name in ["cpu", "memory"] {
            let amount = { (q: Quantity?) in name == "cpu" ? ResourceAmount.milliCPU(q) : ResourceAmount.bytes(q) }
            if let l = amount(lim[name]), l > 0 { limits[name] = l }
            if let r = amount(req[name] ?? lim[name]), r > 0 { requests[name] = r }
        }
    }
}
