/// The scheduler's filters, in Kubernetes' plugin order (NodeUnschedulable, TaintToleration,
/// NodeAffinity, NodeResourcesFit); a node failing one is not checked further, and the
/// reasons use Kubernetes' wording so the unschedulable message reads the same.
enum SchedulingFilters {
    static let unschedulableTaintKey = "node.kubernetes.io/unschedulable"

    /// Why `pod` (needing `requests`) cannot go to `info`'s node; empty when it fits.
    static func failures(pod: JSON, requests: ResourceList, on info: NodeInfo) -> [String] {
        failures(SchedulingPod(pod, requests: requests), on: info)
    }

    static func failures(_ pod: SchedulingPod, on info: NodeInfo) -> [String] {
        if info.unschedulable && !pod.toleratesUnschedulable { return ["node(s) were unschedulable"] }
        for t in info.taints where !pod.tolerations.contains(where: { tolerates($0, key: t.key, value: t.value, effect: t.effect) }) {
            return ["node(s) had untolerated taint {\(t.key): \(t.value)}"]
        }
        if !NodeAffinity.matchesRequired(pod, node: info) {
            return ["node(s) didn't match Pod's node affinity/selector"]
        }
        return insufficientResources(pod, on: info)
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
    static func insufficientResources(_ pod: SchedulingPod, on info: NodeInfo) -> [String] {
        var reasons: [String] = []
        if Int64(info.podCount + 1) * 1000 > info.allocatable["pods", default: 0] { reasons.append("Too many pods") }
        for (name, amount) in pod.checkedRequests where info.requested[name, default: 0].saturatingAdd(amount) > info.allocatable[name, default: 0] {
            reasons.append("Insufficient \(name)")
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
