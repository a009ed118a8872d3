import Wire

/// Kubernetes' validation of a Job's `successPolicy` (`validateSuccessPolicy` in
/// `pkg/apis/batch/validation`), with its messages.
enum JobSuccessPolicyValidation {
    static let maxRules = 20
    static let maxSucceededIndexesLength = 64 * 1024

    static func validate(_ spec: JSON) -> [Status.Cause] {
        let policy = spec["successPolicy"]
        guard !policy.isNull else { return [] }
        let at = "spec.successPolicy"
        guard spec["completionMode"].stringValue == "Indexed" else {
            // Kubernetes prints the Go struct (with pointer addresses); Skiff its JSON.
            return [.invalid(at, bare: policy.compactString, "requires indexed completion mode")]
        }
        let rules = policy["rules"].arrayValue ?? []
        var causes: [Status.Cause] = []
        if rules.isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value: at least one rules must be specified when the successPolicy is specified",
                                field: at + ".rules"))
        }
        if rules.count > maxRules { causes.append(JobFailurePolicyValidation.tooMany(at + ".rules", rules.count, maxRules)) }
        let completions = spec["completions"].intValue
        for (i, rule) in rules.enumerated() {
            causes += validateRule(rule, at: "\(at).rules[\(i)]", completions: completions)
        }
        return causes
    }

    private static func validateRule(_ rule: JSON, at: String, completions: Int?) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        let indexes = rule["succeededIndexes"].stringValue, count = rule["succeededCount"].intValue
        if indexes == nil && count == nil {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value: at least one of succeededCount or succeededIndexes must be specified", field: at))
        }
        // An Indexed Job without completions is refused already; the rest needs them.
        guard let completions else { return causes }
        var total = 0
        if let indexes {
            if indexes.utf8.count > maxSucceededIndexesLength {
                causes.append(.init(reason: "FieldValueTooLong", message: "Too long: must have at most \(maxSucceededIndexesLength) bytes", field: at + ".succeededIndexes"))
            }
            switch JobIndexList.count(indexes, completions: completions) {
            case .success(let n): total = n
            case .failure(let problem):
                causes.append(.invalid(at + ".succeededIndexes", indexes, "error parsing succeededIndexes: \(problem.text)"))
            }
        }
        if let count {
            if count < 0 { causes.append(.negative(at + ".succeededCount", count)) }
            if count > completions {
                causes.append(.invalid(at + ".succeededCount", int: count, "must be less than or equal to \(completions) (the number of specified completions)"))
            }
            if indexes != nil && count > total {
                causes.append(.invalid(at + ".succeededCount", int: count,
                                                             "must be less than or equal to \(total) (the number of indexes in the specified succeededIndexes field)"))
            }
        }
        return causes
    }
}
