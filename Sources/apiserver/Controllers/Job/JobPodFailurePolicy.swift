import Wire

/// Kubernetes' `matchPodFailurePolicy`: the Job's rules in order against one failed pod;
/// the first rule whose requirement holds decides. Rules with an action this controller
/// does not know are skipped (as Kubernetes' clients are told to).
enum JobPodFailurePolicy {
    enum Action: Equatable {
        case failJob(message: String)
        case failIndex
        case ignore
        case count
    }

    /// The rules, or nil when the Job has no podFailurePolicy.
    static func rules(_ job: JSON) -> [JSON]? {
        let policy = job["spec"]["podFailurePolicy"]
        return policy.isNull ? nil : policy["rules"].arrayValue ?? []
    }

    /// The action for the pod, or nil when no rule matches (counted as usual).
    static func match(_ job: JSON, _ pod: JSON) -> Action? {
        guard let rules = rules(job) else { return nil }
        let ns = pod["metadata"]["namespace"].stringValue ?? "", name = pod["metadata"]["name"].stringValue ?? ""
        for (index, rule) in rules.enumerated() {
            let action = rule["action"].stringValue ?? ""
            let matched: String?
            if !rule["onExitCodes"].isNull {
                matched = matchExitCodes(pod, rule["onExitCodes"]).map { c in
                    "Container \(c.name) for pod \(ns)/\(name) failed with exit code \(c.code) matching \(action) rule at index \(index)"
                }
            } else if let patterns = rule["onPodConditions"].arrayValue {
                matched = matchConditions(pod, patterns).map { type in
                    "Pod \(ns)/\(name) has condition \(type) matching \(action) rule at index \(index)"
                }
            } else {
                matched = nil
            }
            guard let message = matched else { continue }
            switch action {
            case "FailJob": return .failJob(message: message)
            case "FailIndex": return .failIndex
            case "Ignore": return .ignore
            case "Count": return .count
            default: continue
            }
        }
        return nil
    }

    /// The first terminated container (app containers, then init containers) with a
    /// non-zero exit code the requirement matches.
    static func matchExitCodes(_ pod: JSON, _ req: JSON) -> (name: String, code: Int)? {
        let only = req["containerName"].stringValue
        let values = Set((req["values"].arrayValue ?? []).compactMap(\.intValue))
        let isIn = req["operator"].stringValue == "In"
        guard isIn || req["operator"].stringValue == "NotIn" else { return nil }
        for list in ["containerStatuses", "initContainerStatuses"] {
            for c in pod["status"][list].arrayValue ?? [] {
                guard let code = c["state"]["terminated"]["exitCode"].intValue, code != 0 else { continue }
                let name = c["name"].stringValue ?? ""
                if let only, only != name { continue }
                if values.contains(code) == isIn { return (name, code) }
            }
        }
        return nil
    }

    /// The type of the first pod condition equal to one of the patterns (type and status).
    static func matchConditions(_ pod: JSON, _ patterns: [JSON]) -> String? {
        for c in pod["status"]["conditions"].arrayValue ?? [] {
            for p in patterns where p["type"] == c["type"] && (p["status"].stringValue ?? "True") == c["status"].stringValue {
                return c["type"].stringValue
            }
        }
        return nil
    }
}
