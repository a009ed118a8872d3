import Synchronization

/// Each node's verdict for each DaemonSet, kept between syncs: `DaemonPlacement.shouldRun`
/// builds a NodeInfo and a SchedulingPod, too much to redo for every node on every sync.
/// An entry holds while the node's resourceVersion and the template's hash are the ones it
/// was computed from. Bounded: a DaemonSet's entries are rebuilt from the current node list
/// on each sync (deleted nodes fall out), and dropped when the DaemonSet or node goes.
final class PlacementCache: Sendable {
    private struct Entry {
        let nodeVersion: String
        let templateHash: String
        let placement: NodePlacement
    }
    /// DaemonSet uid → node name → entry.
    private let entries = Mutex<[String: [String: Entry]]>([:])

    func placements(daemonSetUID uid: String, template: JSON, templateHash: String, nodes: [JSON]) -> [NodePlacement] {
        let known = entries.withLock { $0[uid] ?? [:] }
        var fresh: [String: Entry] = [:]
        var out: [NodePlacement] = []
        out.reserveCapacity(nodes.count)
        for n in nodes {
            let name = n["metadata"]["name"].stringValue ?? "", version = n["metadata"]["resourceVersion"].stringValue ?? ""
            if let e = known[name], e.nodeVersion == version, e.templateHash == templateHash, !version.isEmpty {
                fresh[name] = e
                out.append(e.placement)
                continue
            }
            let p = DaemonPlacement.placement(template: template, on: n)
            fresh[name] = Entry(nodeVersion: version, templateHash: templateHash, placement: p)
            out.append(p)
        }
        entries.withLock { $0[uid] = fresh }
        return out
    }

    func forget(daemonSetUID uid: String) { entries.withLock { _ = $0.removeValue(forKey: uid) } }

    func forget(node name: String) {
        entries.withLock { all in
            for uid in all.keys { all[uid]?[name] = nil }
        }
    }

    /// How many verdicts are held (for tests).
    var count: Int { entries.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}
