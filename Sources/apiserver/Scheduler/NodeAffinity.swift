/// `spec.nodeSelector` and `spec.affinity.nodeAffinity` against a node's labels and name.
enum NodeAffinity {
    /// nodeSelector (every label equal) and the required terms (any term matching).
    static func matchesRequired(_ pod: SchedulingPod, node: NodeInfo) -> Bool {
        for (k, v) in pod.nodeSelector where node.labels[k] != v { return false }
        guard let terms = pod.requiredTerms else { return true }
        return terms.contains { termMatches($0, node: node) }
    }

    /// The sum of the weights of the preferred terms the node matches.
    static func preferredWeight(_ pod: SchedulingPod, node: NodeInfo) -> Int {
        pod.preferredTerms.reduce(0) { sum, p in termMatches(p.term, node: node) ? sum + p.weight : sum }
    }

    /// A term's expressions and fields all hold; a term with neither matches nothing.
    static func termMatches(_ term: JSON, node: NodeInfo) -> Bool {
        let exprs = term["matchExpressions"].arrayValue ?? [], fields = term["matchFields"].arrayValue ?? []
        guard !exprs.isEmpty || !fields.isEmpty else { return false }
        return exprs.allSatisfy { requirement($0, value: node.labels[$0["key"].stringValue ?? ""]) }
            && fields.allSatisfy { f in
                // Only `metadata.name` is a node field selector key (as in Kubernetes).
                f["key"].stringValue == "metadata.name" && requirement(f, value: node.name)
            }
    }

    /// One `In`/`NotIn`/`Exists`/`DoesNotExist`/`Gt`/`Lt` requirement against the value
    /// (nil: the label is absent).
    static func requirement(_ r: JSON, value: String?) -> Bool {
        let values = (r["values"].arrayValue ?? []).compactMap(\.stringValue)
        switch r["operator"].stringValue ?? "" {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt", "Lt":
            guard values.count == 1, let bound = Int64(values[0]), let v = value.flatMap({ Int64($0) }) else { return false }
            return r["operator"].stringValue == "Gt" ? v > bound : v < bound
        default: return false
        }
    }
}
