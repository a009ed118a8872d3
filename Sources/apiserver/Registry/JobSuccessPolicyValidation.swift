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
            return [.init(reason: "FieldValueInvalid", message: "Invalid value: \(policy.compactString): requires indexed completion mode", field: at)]
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
            switch countIndexes(indexes, completions: completions) {
            case .success(let n): total = n
            case .failure(let problem):
                causes.append(.invalid(at + ".succeededIndexes", indexes, "error parsing succeededIndexes: \(problem.text)"))
            }
        }
        if let count {
            if count < 0 { causes.append(JobStrategy.negative(at + ".succeededCount", count)) }
            if count > completions {
                causes.append(JobFailurePolicyValidation.int(at + ".succeededCount", count, "must be less than or equal to \(completions) (the number of specified completions)"))
            }
            if indexes != nil && count > total {
                causes.append(JobFailurePolicyValidation.int(at + ".succeededCount", count,
                                                             "must be less than or equal to \(total) (the number of indexes in the specified succeededIndexes field)"))
            }
        }
        return causes
    }

    struct Problem: Error { let text: String }

    /// Kubernetes' `validateIndexesFormat`: how many indexes "0-2,5" names, each below
    /// `completions`, intervals strictly increasing; "" names none.
    static func countIndexes(_ s: String, completions: Int) -> Result<Int, Problem> {
        guard !s.isEmpty else { return .success(0) }
        var last: Int? = nil, total = 0
        for part in s.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            if ends.count > 2 {
                return .failure(Problem(text: "the fragment \(goQuote(String(part))) violates the requirement that an index interval can have at most two parts separated by '-'"))
            }
            var bounds: [Int] = []
            for end in ends {
                guard let v = Int(end) else { return .failure(Problem(text: "cannot convert string to integer for index: \(goQuote(end))")) }
                if v >= completions { return .failure(Problem(text: "too large index: \(goQuote(end))")) }
                bounds.append(v)
            }
            let lo = bounds[0], hi = bounds[bounds.count - 1]
            if bounds.count == 2 && lo >= hi { return .failure(Problem(text: "non-increasing order, previous: \(lo), current: \(hi)")) }
            if let last, last >= lo { return .failure(Problem(text: "non-increasing order, previous: \(last), current: \(lo)")) }
            total += hi - lo + 1
            last = hi
        }
        return .success(total)
    }

    /// Go's `%q` for the plain strings these messages quote.
    static func goQuote(_ s: String) -> String {
        var out = "\""
        for c in s {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}
