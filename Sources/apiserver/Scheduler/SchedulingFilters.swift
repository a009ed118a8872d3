/// The scheduler's filters, in Kubernetes' plugin order (NodeUnschedulable, TaintToleration,
/// NodeAffinity, NodeResourcesFit); a node failing one is not checked further, and the
/// reasons use Kubernetes' wording so the unschedulable message reads the same.
enum SchedulingFilters {
    static let unschedulableTaintKey = "node.kubernetes.io/unschedulable"

    /// Why `pod` (needing `requests`) cannot go to `info`'s node; empty when it fits.
    static func failures(pod: JSON, requests: ResourceList, on info: NodeInfo) -> [String] {
        let node = info.node
        let tolerations = pod["spec"]["tolerations"].arrayValue ?? []
        if node["spec"]["unschedulable"].boolValue == true,
           !tolerations.contains(where: { tolerates($0, key: unschedulableTaintKey, value: "", effect: "NoSchedule") }) {
            return ["node(s) were unschedulable"]
        }
        for t in info.taints {
            let key = t["key"].stringValue ?? "", value = t["value"].stringValue ?? "", effect = t["effect"].stringValue ?? ""
            guard effect == "NoSchedule" || effect == "NoExecute" else { continue }
            if !tolerations.contains(where: { tolerates($0, key: key, value: value, effect: effect) }) {
                return ["node(s) had untolerated taint {\(key): \(value)}"]
            }
        }
        if !NodeAffinity.matchesRequired(pod: pod, node: node) {
            return ["node(s) didn't match Pod's node affinity/selector"]
        }
        return insufficientResources(requests: requests, on: info)
    }

    /// The node's taints, plus the one the node lifecycle controller would add when the node
    /// is not Ready and carries neither yet (`not-ready` for False, `unreachable` otherwise):
    /// only pods tolerating it may land on a node that is not Ready.
    static func taints(of node: JSON) -> [JSON] {
        let taints = node["spec"]["taints"].arrayValue ?? []
        let ready = NodeObject.readyStatus(node)
        guard ready != "True" else { return taints }
        let key = ready == "False" ? NodeLifecycleController.notReady : NodeLifecycleController.unreachable
        if taints.contains(where: { $0["key"].stringValue == key && $0["effect"].stringValue == "NoSchedule" }) { return taints }
        return taints + [["key": .string(key), "effect": "NoSchedule"]]
    }

    /// Kubernetes' `Toleration.ToleratesTaint`: an empty effect matches every effect, an
    /// empty key with `Exists` every key; `Equal` (the default) compares values.
    static func tolerates(_ t: JSON, key: String, value: String, effect: String) -> Bool {
        let tEffect = t["effect"].stringValue ?? ""
        if !tEffect.isEmpty && tEffect != effect { return false }
        let tKey = t["key"].stringValue ?? ""
        if !tKey.isEmpty && tKey != key { return false }
        switch t["operator"].stringValue ?? "Equal" {
        case "Exists": return true
        case "Equal", "": return !tKey.isEmpty && (t["value"].stringValue ?? "") == value
        default: return false
        }
    }

    /// NodeResourcesFit: the pod count first, then every requested resource the node lacks.
    static func insufficientResources(requests: ResourceList, on info: NodeInfo) -> [String] {
        let alloc = info.allocatable
        var reasons: [String] = []
        if Int64(info.podCount + 1) * 1000 > alloc["pods", default: 0] { reasons.append("Too many pods") }
        for (name, amount) in requests.sorted(by: { $0.key < $1.key }) where amount > 0 && name != "pods" {
            if info.requested[name, default: 0] + amount > alloc[name, default: 0] { reasons.append("Insufficient \(name)") }
        }
        return reasons
    }

    /// `0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu.`:
    /// each reason with the number of nodes that gave it, sorted as strings (as Kubernetes'
    /// FitError prints them).
    static func unschedulableMessage(nodeCount: Int, failures: [[String]]) -> String {
        if nodeCount == 0 { return "no nodes available to schedule pods" }
        var counts: [String: Int] = [:]
        for reasons in failures { for r in reasons { counts[r, default: 0] += 1 } }
        let histogram = counts.map { "\($0.value) \($0.key)" }.sorted()
        return "0/\(nodeCount) nodes are available: " + histogram.joined(separator: ", ") + "."
    }
}
