/// Pod GC's decisions from cached pods and nodes (Kubernetes' podgc), kept apart from the
/// API calls so they can be tested as values.
enum PodGCPlan {
    static let outOfServiceTaint = "node.kubernetes.io/out-of-service"

    static func nodeName(_ pod: JSON) -> String { pod["spec"]["nodeName"].stringValue ?? "" }

    /// The terminated pods beyond `threshold`, in the order they go: evicted ones first
    /// (Failed with reason `Evicted`), then the oldest by creationTimestamp, then by name.
    /// Nothing when `threshold` is 0 (that part of pod GC is off).
    static func terminatedToDelete(_ pods: [JSON], threshold: Int) -> [JSON] {
        guard threshold > 0 else { return [] }
        let terminated = pods.filter(PodState.isTerminated)
        guard terminated.count > threshold else { return [] }
        let sorted = terminated.sorted { a, b in
            let ea = isEvicted(a), eb = isEvicted(b)
            if ea != eb { return ea }
            let ca = created(a), cb = created(b)
            if ca != cb { return ca < cb }
            return (a["metadata"]["name"].stringValue ?? "") < (b["metadata"]["name"].stringValue ?? "")
        }
        return Array(sorted.prefix(terminated.count - threshold))
    }

    /// Pods being deleted that were never bound: no kubelet will ever finish them.
    static func unscheduledTerminating(_ pods: [JSON]) -> [JSON] {
        pods.filter { PodState.isTerminating($0) && nodeName($0).isEmpty }
    }

    /// Pods being deleted on a node that is not Ready and carries the out-of-service taint
    /// (an administrator's word that the node is down for good).
    static func terminatingOutOfService(_ pods: [JSON], nodes: [String: JSON]) -> [JSON] {
        pods.filter { p in
            guard PodState.isTerminating(p), let node = nodes[nodeName(p)] else { return false }
            let tainted = (node["spec"]["taints"].arrayValue ?? []).contains { $0["key"].stringValue == outOfServiceTaint }
            return tainted && NodeObject.readyStatus(node) != "True"
        }
    }

    /// Names of the nodes pods are bound to that the node cache does not have.
    static func missingNodes(_ pods: [JSON], nodes: Set<String>) -> Set<String> {
        Set(pods.map(nodeName).filter { !$0.isEmpty && !nodes.contains($0) })
    }

    static func isEvicted(_ pod: JSON) -> Bool {
        pod["status"]["phase"].stringValue == "Failed" && pod["status"]["reason"].stringValue == "Evicted"
    }

    static func created(_ pod: JSON) -> Double {
        pod["metadata"]["creationTimestamp"].stringValue.flatMap(Timestamp.parse) ?? 0
    }
}

/// Nodes that pods are bound to but the cache does not have, each with when it was first
/// noticed missing. Only after the quarantine (40 s in Kubernetes) is a node looked up live:
/// a node created a moment ago may not have reached the cache yet.
struct OrphanQuarantine {
    private(set) var since: [String: Double] = [:]

    /// Notes the `missing` nodes (a node already waiting keeps its first time), forgets the
    /// ones no longer missing, and returns (and forgets) those that have waited `quarantine`
    /// seconds: a later pass that still finds them missing starts them over.
    mutating func due(missing: Set<String>, now: Double, quarantine: Double) -> [String] {
        since = since.filter { missing.contains($0.key) }
        for name in missing where since[name] == nil { since[name] = now }
        let ready = since.filter { $0.value + quarantine <= now }.map(\.key).sorted()
        for name in ready { since[name] = nil }
        return ready
    }
}

