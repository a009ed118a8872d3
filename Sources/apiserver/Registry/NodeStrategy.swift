struct NodeStrategy: ResourceStrategy {
    typealias Typed = Node
    let type = ResourceType.nodes
    var hasStatusSubresource: Bool { true }

    /// A kubelet registers its Node with its status in one create, as in Kubernetes.
    func prepareForCreate(_ node: inout JSON) {}

    func validate(_ node: JSON) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        for (i, t) in (node["spec"]["taints"].arrayValue ?? []).enumerated() {
            let key = t["key"].stringValue ?? "", effect = t["effect"].stringValue ?? ""
            if let p = LabelSyntax.keyProblem(key) { causes.append(.invalid("spec.taints[\(i)].key", key, p)) }
            if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(effect) {
                causes.append(.notSupported("spec.taints[\(i)].effect", effect, supported: ["NoExecute", "NoSchedule", "PreferNoSchedule"]))
            }
        }
        return causes + QuantityValidation.nodeStatusCauses(node)
    }

    func fieldValue(_ node: JSON, _ field: String) -> String? {
        if field == "spec.unschedulable" { return node["spec"]["unschedulable"].boolValue == true ? "true" : "false" }
        return commonFieldValue(node, field)
    }
}
