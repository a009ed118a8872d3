/// When the node lifecycle controller last saw each node's Lease renewed, by the controller's
/// own clock (as Kubernetes' node health map does, so skew between hosts does not matter).
/// Entries of deleted Nodes are dropped on every pass, so the map never outgrows the cluster.
struct NodeHeartbeats {
    private var seen: [String: (renew: String, at: Double)] = [:]

    var count: Int { seen.count }

    /// Notes each Lease's `renewTime`; a changed one counts as a heartbeat at `now`.
    mutating func observe(leases: [JSON], now: Double) {
        for l in leases {
            guard let name = l["metadata"]["name"].stringValue else { continue }
            let renew = l["spec"]["renewTime"].stringValue ?? ""
            if seen[name]?.renew != renew { seen[name] = (renew, now) }
        }
    }

    /// True when node `name` has not renewed for more than `grace` seconds; a node never
    /// seen before starts its grace period now.
    mutating func isStale(_ name: String, now: Double, grace: Double) -> Bool {
        if seen[name] == nil { seen[name] = ("", now) }
        return now - seen[name]!.at > grace
    }

    /// Forgets every name that is not a current Node.
    mutating func prune(keeping nodes: Set<String>) {
        seen = seen.filter { nodes.contains($0.key) }
    }
}
