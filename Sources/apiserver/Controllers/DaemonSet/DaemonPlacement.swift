/// One node's verdict for one DaemonSet, computed once per sync.
struct NodePlacement: Sendable {
    let name: String
    let shouldRun: Bool
    let shouldContinueRunning: Bool
}

/// Where a DaemonSet's pods belong, as Kubernetes' daemon controller decides it
/// (`NodeShouldRunDaemonPod`, `AddOrUpdateDaemonPodTolerations`,
/// `ReplaceDaemonSetPodNodeNameNodeAffinity`, `GetTargetNodeName`).
enum DaemonPlacement {
    /// The node-field key a required `matchFields` term names a node by.
    static let nodeNameField = "metadata.name"

    /// The tolerations Kubernetes adds to every daemon pod (`network-unavailable` only for
    /// hostNetwork pods): a daemon keeps running on a node that is not ready, unreachable,
    /// under pressure or cordoned.
    static func automaticTolerations(hostNetwork: Bool) -> [JSON] {
        var t: [JSON] = [
            ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"],
            ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"],
            ["key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"],
        ]
        if hostNetwork { t.append(["key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"]) }
        return t
    }

    /// The template's tolerations with the automatic ones added; one of the template's with
    /// the same key, operator, value and effect is replaced, as `AddOrUpdateTolerationInPodSpec`.
    static func withDaemonTolerations(_ spec: JSON) -> [JSON] {
        var tolerations = spec["tolerations"].arrayValue ?? []
        for t in automaticTolerations(hostNetwork: spec["hostNetwork"].boolValue == true) {
            if let i = tolerations.firstIndex(where: { sameToleration($0, t) }) {
                tolerations[i] = t
            } else {
                tolerations.append(t)
            }
        }
        return tolerations
    }

    /// Kubernetes' `Toleration.MatchToleration`.
    static func sameToleration(_ a: JSON, _ b: JSON) -> Bool {
        func op(_ t: JSON) -> String { t["operator"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "Equal" }
        return (a["key"].stringValue ?? "") == (b["key"].stringValue ?? "") && op(a) == op(b)
            && (a["value"].stringValue ?? "") == (b["value"].stringValue ?? "") && (a["effect"].stringValue ?? "") == (b["effect"].stringValue ?? "")
    }

    /// The pod's affinity with its required node affinity replaced by one term naming the
    /// node (`matchFields` `metadata.name` In [node]); preferred terms and pod (anti-)affinity
    /// stay. The template's own node affinity was already checked by the controller.
    static func affinityPinned(to node: String, _ affinity: JSON) -> JSON {
        let term: JSON = ["matchFields": [["key": .string(nodeNameField), "operator": "In", "values": [.string(node)]]]]
        var a = affinity.isNull ? JSON.object(JSONObject()) : affinity
        a[path: ["nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]] = ["nodeSelectorTerms": [term]]
        return a
    }

    /// The node a daemon pod is for: its `nodeName` once bound, else the node its required
    /// `matchFields` names (`GetTargetNodeName`); nil when neither says.
    static func targetNode(of pod: JSON) -> String? {
        if let n = pod["spec"]["nodeName"].stringValue, !n.isEmpty { return n }
        let terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"].arrayValue ?? []
        for term in terms {
            for f in term["matchFields"].arrayValue ?? [] where f["key"].stringValue == nodeNameField && f["operator"].stringValue == "In" {
                if let values = f["values"].arrayValue, values.count == 1, let n = values[0].stringValue { return n }
            }
        }
        return nil
    }

    /// `NodeShouldRunDaemonPod`: whether a new daemon pod goes to the node (`shouldRun`),
    /// and whether one already there stays (`shouldContinueRunning`). The template's
    /// nodeName, nodeSelector and required node affinity must match; its tolerations plus the
    /// automatic ones must tolerate the node's NoSchedule and NoExecute taints (a taint
    /// that is only NoSchedule keeps a running pod; the `unschedulable` taint of a cordoned
    /// node is tolerated).
    static func placement(template: JSON, on node: JSON) -> NodePlacement {
        let r = shouldRun(template: template, on: node)
        return NodePlacement(name: node["metadata"]["name"].stringValue ?? "", shouldRun: r.shouldRun, shouldContinueRunning: r.shouldContinueRunning)
    }

    static func shouldRun(template: JSON, on node: JSON) -> (shouldRun: Bool, shouldContinueRunning: Bool) {
        let nodeName = node["metadata"]["name"].stringValue ?? ""
        let spec = template["spec"]
        if let pinned = spec["nodeName"].stringValue, !pinned.isEmpty, pinned != nodeName { return (false, false) }
        let pod: JSON = ["spec": ["nodeSelector": spec["nodeSelector"], "affinity": spec["affinity"],
                                  "tolerations": .array(withDaemonTolerations(spec))]]
        let scheduling = SchedulingPod(pod, requests: [:])
        // The node's NoSchedule/NoExecute taints as the scheduler sees them (a NotReady
        // node's condition taint counts even before the node lifecycle controller writes it).
        let info = NodeInfo(node: node)
        guard NodeAffinity.matchesRequired(scheduling, node: info) else { return (false, false) }
        func tolerated(_ t: NodeInfo.Taint) -> Bool {
            scheduling.tolerations.contains { SchedulingFilters.tolerates($0, key: t.key, value: t.value, effect: t.effect) }
        }
        if info.taints.allSatisfy(tolerated) { return (true, true) }
        return (false, info.taints.filter { $0.effect == "NoExecute" }.allSatisfy(tolerated))
    }
}
