/// Kubernetes' ValidateDeploymentSpec beyond the template: the strategy (type, maxSurge and
/// maxUnavailable as non-negative integers or `N%` percentages, not both 0), the progress
/// deadline above minReadySeconds, non-negative history limit and minReadySeconds.
enum DeploymentRules {
    static func validate(_ d: JSON) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        let spec = d["spec"]
        for field in ["minReadySeconds", "revisionHistoryLimit"] {
            if let v = spec[field].intValue, v < 0 { causes.append(.negative("spec.\(field)", v)) }
        }
        if let p = spec["progressDeadlineSeconds"].intValue {
            if p < 0 { causes.append(.negative("spec.progressDeadlineSeconds", p)) }
            if p <= (spec["minReadySeconds"].intValue ?? 0) {
                causes.append(.invalid("spec.progressDeadlineSeconds", int: p, "must be greater than minReadySeconds"))
            }
        }
        let strategy = spec["strategy"]
        switch strategy["type"].stringValue ?? "" {
        case "Recreate":
            if !strategy["rollingUpdate"].isNull {
                causes.append(.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"))
            }
        case "RollingUpdate":
            let ru = strategy["rollingUpdate"]
            // Kubernetes bounds no surge percentage; its controller computes in float64. Here
            // the percentage's number must fit IntOrString's int32, as an integer must.
            let surge = intOrPercent(ru["maxSurge"], "spec.strategy.rollingUpdate.maxSurge", maxPercent: Int(Int32.max), &causes)
            let unavailable = intOrPercent(ru["maxUnavailable"], "spec.strategy.rollingUpdate.maxUnavailable", maxPercent: 100, &causes)
            if surge == 0 && unavailable == 0 {
                causes.append(.invalid("spec.strategy.rollingUpdate.maxUnavailable", ru["maxUnavailable"].stringValue ?? "0",
                                       "may not be 0 when `maxSurge` is 0"))
            }
        default:
            causes.append(.notSupported("spec.strategy.type", strategy["type"].stringValue ?? "", supported: ["Recreate", "RollingUpdate"]))
        }
        return causes
    }

    /// The number (a percentage's number) of an IntOrString field, nil when absent or bad
    /// (a cause is added for bad ones, a percentage above `maxPercent` among them).
    static func intOrPercent(_ v: JSON, _ field: String, maxPercent: Int, _ causes: inout [Status.Cause]) -> Int? {
        switch v {
        case .null: return nil
        case .number:
            guard case .int(let i)? = try? IntOrPercent.parse(v) else { causes.append(.invalid(field, v.compactString, "must be an integer")); return nil }
            if i < 0 { causes.append(.negative(field, i)) }
            return i
        case .string(let s):
            guard IntOrPercent.isStrictPercent(s) else {
                causes.append(.invalid(field, s, DaemonSetUpdateRules.percentMessage))
                return nil
            }
            // Digits too many for an Int are above any bound too.
            guard case .percent(let p)? = try? IntOrPercent.parse(v), p <= maxPercent else {
                causes.append(.invalid(field, s, "must not be greater than \(maxPercent)%"))
                return nil
            }
            return p
        default:
            causes.append(.invalid(field, v.compactString, "must be an integer or a percentage"))
            return nil
        }
    }
}
