/// `spec.nodeSelector` and `spec.affinity.nodeAffinity` against a node's labels and name.
enum NodeAffinity {
    /// nodeSelector (every label equal) and the required terms (any term matching).
    static func matchesRequired(pod: JSON, node: JSON) -> Bool {
        let labels = node["metadata"]["labels"]
        for (k, v) in pod["spec"]["nodeSelector"].objectValue?.entries ?? [] where labels[k].stringValue != v.stringValue {
            return false
        }
        let required = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        guard !required.isNull else { return true }
        return (required["nodeSelectorTerms"].arrayValue ?? []).contains { termMatches($0, node: node) }
    }

    /// The sum of the weights of the preferred terms the node matches.
    static func preferredWeight(pod: JSON, node: JSON) -> Int {
        let preferred = pod["spec"]["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"].arrayValue ?? []
        return preferred.reduce(0) { sum, p in termMatches(p["preference"], node: node) ? sum + (p["weight"].intValue ?? 0) : sum }
    }

    /// A term's expressions and fields all hold; a term with neither matches nothing.
    static func termMatches(_ term: JSON, node: JSON) -> Bool {
        let exprs = term["matchExpressions"].arrayValue ?? [], fields = term["matchFields"].arrayValue ?? []
        guard !exprs.isEmpty || !fields.isEmpty else { return false }
        let labels = node["metadata"]["labels"]
        return exprs.allSatisfy { requirement($0, value: labels[$0["key"].stringValue ?? ""].stringValue) }
            && fields.allSatisfy { f in
                // Only `metadata.name` is a node field selector key (as in Kubernetes).
                f["key"].stringValue == "metadata.name" && requirement(f, value: node["metadata"]["name"].stringValue)
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
