import Wire

/// Kubernetes' validation of a Job's `podFailurePolicy`, `backoffLimitPerIndex` and
/// `maxFailedIndexes` (`pkg/apis/batch/validation`), with its messages.
enum JobFailurePolicyValidation {
    static let maxRules = 20
    static let maxExitCodes = 255
    static let maxConditionPatterns = 20
    static let maxFailedIndexesLimit = 100_000
    /// Kubernetes' caps for Indexed Jobs (they bound the controller's work per sync too).
    static let maxIndexedParallelism = 100_000
    static let completionsSoftLimit = 100_000, highCompletionsLimit = 10_000
    static let actions = ["Count", "FailIndex", "FailJob", "Ignore"]
    static let operators = ["In", "NotIn"]
    static let conditionStatuses = ["False", "True", "Unknown"]

    /// Kubernetes' `SetDefaults_Job` for these fields: `podReplacementPolicy: Failed` with a
    /// policy, a condition pattern's `status: True`, and `backoffLimit` unlimited
    /// (2147483647) when `backoffLimitPerIndex` is set.
    static func applyDefaults(_ job: inout JSON) {
        if job["spec"]["backoffLimit"].isNull && !job["spec"]["backoffLimitPerIndex"].isNull {
            job[path: ["spec", "backoffLimit"]] = .int(Int(Int32.max))
        }
        guard !job["spec"]["podFailurePolicy"].isNull else { return }
        job.setDefault(["spec", "podReplacementPolicy"], "Failed")
        guard let rules = job["spec"]["podFailurePolicy"]["rules"].arrayValue else { return }
        let defaulted: [JSON] = rules.map { rule in
            guard let patterns = rule["onPodConditions"].arrayValue else { return rule }
            var r = rule
            r["onPodConditions"] = .array(patterns.map { p in
                var p = p
                if p["status"].isNull { p["status"] = "True" }
                return p
            })
            return r
        }
        job[path: ["spec", "podFailurePolicy", "rules"]] = .array(defaulted)
    }

    /// `backoffLimitPerIndex` and `maxFailedIndexes` (Kubernetes' `validateJobSpec`).
    static func validatePerIndex(_ spec: JSON) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        let perIndex = spec["backoffLimitPerIndex"].intValue, maxFailed = spec["maxFailedIndexes"].intValue
        if let v = perIndex, v < 0 { causes.append(.negative("spec.backoffLimitPerIndex", v)) }
        if let v = maxFailed {
            if v < 0 { causes.append(.negative("spec.maxFailedIndexes", v)) }
            if perIndex == nil {
                causes.append(.init(reason: "FieldValueRequired", message: "Required value: when maxFailedIndexes is specified", field: "spec.backoffLimitPerIndex"))
            }
        }
        if spec["completionMode"].stringValue == "Indexed" {
            let parallelism = spec["parallelism"].intValue, completions = spec["completions"].intValue
            if let p = parallelism, p > maxIndexedParallelism {
                causes.append(.invalid("spec.parallelism", int: p, "must be less than or equal to \(maxIndexedParallelism) when completion mode is Indexed"))
            }
            if let c = completions, c > completionsSoftLimit, perIndex != nil {
                let why = "when completions are above \(completionsSoftLimit) and used with backoff limit per index"
                if maxFailed == nil {
                    causes.append(.init(reason: "FieldValueRequired", message: "Required value: must be specified when completions is above \(completionsSoftLimit)",
                                        field: "spec.maxFailedIndexes"))
                }
                if let p = parallelism, p > highCompletionsLimit { causes.append(.invalid("spec.parallelism", int: p, "must be less than or equal to \(highCompletionsLimit) \(why)")) }
                if let v = maxFailed, v > highCompletionsLimit { causes.append(.invalid("spec.maxFailedIndexes", int: v, "must be less than or equal to \(highCompletionsLimit) \(why)")) }
            }
            if let v = maxFailed, let c = completions, v > c {
                causes.append(.invalid("spec.maxFailedIndexes", int: v, "must be less than or equal to completions"))
            }
            if let v = maxFailed, v > maxFailedIndexesLimit {
                causes.append(.invalid("spec.maxFailedIndexes", int: v, "must be less than or equal to \(maxFailedIndexesLimit)"))
            }
        } else {
            if let v = perIndex { causes.append(.invalid("spec.backoffLimitPerIndex", int: v, "requires indexed completion mode")) }
            if let v = maxFailed { causes.append(.invalid("spec.maxFailedIndexes", int: v, "requires indexed completion mode")) }
        }
        return causes
    }

    /// `validatePodFailurePolicy` and the restart policy it needs.
    static func validatePolicy(_ spec: JSON) -> [Status.Cause] {
        guard !spec["podFailurePolicy"].isNull else { return [] }
        let at = "spec.podFailurePolicy.rules"
        let rules = spec["podFailurePolicy"]["rules"].arrayValue ?? []
        var causes: [Status.Cause] = []
        if rules.count > maxRules { causes.append(tooMany(at, rules.count, maxRules)) }
        let podSpec = spec["template"]["spec"]
        let names = Set(((podSpec["containers"].arrayValue ?? []) + (podSpec["initContainers"].arrayValue ?? [])).compactMap { $0["name"].stringValue })
        for (i, rule) in rules.enumerated() {
            causes += validateRule(rule, at: "\(at)[\(i)]", backoffLimitPerIndex: !spec["backoffLimitPerIndex"].isNull, names: names)
        }
        if let p = spec["podReplacementPolicy"].stringValue, p != "Failed" {
            causes.append(.notSupported("spec.podReplacementPolicy", p, supported: ["Failed"]))
        }
        if let rp = podSpec["restartPolicy"].stringValue, rp == "OnFailure" {
            causes.append(.invalid("spec.template.spec.restartPolicy", rp, "only \"Never\" is supported when podFailurePolicy is specified"))
        }
        return causes
    }

    private static func validateRule(_ rule: JSON, at: String, backoffLimitPerIndex: Bool, names: Set<String>) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        let action = rule["action"].stringValue ?? ""
        if action.isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value: valid values: \(goQuoted(actions))", field: at + ".action"))
        } else if action == "FailIndex" {
            if !backoffLimitPerIndex { causes.append(.invalid(at + ".action", action, "requires the backoffLimitPerIndex to be set")) }
        } else if !actions.contains(action) {
            causes.append(.notSupported(at + ".action", action, supported: actions))
        }
        let exitCodes = rule["onExitCodes"], conditions = rule["onPodConditions"].arrayValue ?? []
        if !exitCodes.isNull { causes += validateExitCodes(exitCodes, at: at + ".onExitCodes", names: names) }
        if !conditions.isEmpty { causes += validateConditions(conditions, at: at + ".onPodConditions") }
        if !exitCodes.isNull && !conditions.isEmpty {
            causes.append(omitted(at, "specifying both OnExitCodes and OnPodConditions is not supported"))
        }
        if exitCodes.isNull && conditions.isEmpty {
            causes.append(omitted(at, "specifying one of OnExitCodes and OnPodConditions is required"))
        }
        return causes
    }

    private static func validateExitCodes(_ req: JSON, at: String, names: Set<String>) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        let op = req["operator"].stringValue ?? ""
        if op.isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value: valid values: \(goQuoted(operators))", field: at + ".operator"))
        } else if !operators.contains(op) {
            causes.append(.notSupported(at + ".operator", op, supported: operators))
        }
        if let name = req["containerName"].stringValue, !names.contains(name) {
            causes.append(.invalid(at + ".containerName", name, "must be one of the container or initContainer names in the pod template"))
        }
        let values = (req["values"].arrayValue ?? []).compactMap(\.intValue)
        if values.isEmpty {
            // Go prints an absent list as `[]int32(nil)`, an empty one as `[]int32{}`.
            let shown = req["values"].arrayValue == nil ? "[]int32(nil)" : "[]int32{}"
            causes.append(.invalid(at + ".values", bare: shown, "at least one value is required"))
        } else if values.count > maxExitCodes {
            causes.append(tooMany(at + ".values", values.count, maxExitCodes))
        }
        var seen = Set<Int>(), ordered = true
        for (j, v) in values.enumerated() {
            if op == "In" && v == 0 { causes.append(.invalid("\(at).values[\(j)]", int: v, "must not be 0 for the In operator")) }
            if !seen.insert(v).inserted {
                causes.append(.init(reason: "FieldValueDuplicate", message: "Duplicate value: \(v)", field: "\(at).values[\(j)]"))
            }
            if j > 0 && values[j - 1] > v { ordered = false }
        }
        if !ordered {
            causes.append(.invalid(at + ".values", bare: goInts(values), "must be ordered"))
        }
        return causes
    }

    private static func validateConditions(_ patterns: [JSON], at: String) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        if patterns.count > maxConditionPatterns { causes.append(tooMany(at, patterns.count, maxConditionPatterns)) }
        for (j, pattern) in patterns.enumerated() {
            let type = pattern["type"].stringValue ?? ""
            if let p = LabelSyntax.keyProblem(type) {
                causes.append(.invalid("\(at)[\(j)].type", type, p))
            }
            let status = pattern["status"].stringValue ?? ""
            if status.isEmpty {
                causes.append(.init(reason: "FieldValueRequired", message: "Required value: valid values: \(goQuoted(conditionStatuses))", field: "\(at)[\(j)].status"))
            } else if !conditionStatuses.contains(status) {
                causes.append(.notSupported("\(at)[\(j)].status", status, supported: conditionStatuses))
            }
        }
        return causes
    }

    /// Go's `%q` of a string slice: `["In" "NotIn"]`.
    static func goQuoted(_ list: [String]) -> String { "[" + list.map { "\"\($0)\"" }.joined(separator: " ") + "]" }
    /// Go's `%#v` of an `[]int32`: `[]int32{2, 1}`.
    static func goInts(_ list: [Int]) -> String { "[]int32{" + list.map(String.init).joined(separator: ", ") + "}" }
    static func tooMany(_ field: String, _ n: Int, _ max: Int) -> Status.Cause {
        .init(reason: "FieldValueTooMany", message: "Too many: \(n): must have at most \(max) items", field: field)
    }
    /// A field error whose value Kubernetes omits (`field.OmitValueType`).
    static func omitted(_ field: String, _ why: String) -> Status.Cause {
        .init(reason: "FieldValueInvalid", message: "Invalid value: \(why)", field: field)
    }
}
