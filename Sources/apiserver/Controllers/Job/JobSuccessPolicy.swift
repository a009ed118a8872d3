import Wire

/// Kubernetes' `matchSuccessPolicy`: an Indexed Job's `successPolicy.rules` in order
/// against its succeeded indexes; the first rule that holds decides.
enum JobSuccessPolicy {
    static let reason = "SuccessPolicy"

    /// "Matched rules at index N" for the first matching rule, nil when none matches (or
    /// no index has succeeded yet).
    static func match(_ job: JSON, completed: JobIndexIntervals) -> String? {
        guard JobRules.isIndexed(job), let rules = job["spec"]["successPolicy"]["rules"].arrayValue, !completed.isEmpty else { return nil }
        let completions = JobRules.completions(job) ?? 0
        for (i, rule) in rules.enumerated() {
            let count = rule["succeededCount"].intValue
            if let text = rule["succeededIndexes"].stringValue {
                // Indexes that do not parse are dropped; a rule left with none never matches.
                let required = JobIndexList.indexes(text, limit: completions)
                guard !required.isEmpty else { continue }
                let done = required.intersectionCount(completed)
                if done >= (count ?? required.count) { return "Matched rules at index \(i)" }
            } else if let count, completed.count >= count {
                return "Matched rules at index \(i)"
            }
        }
        return nil
    }
}
