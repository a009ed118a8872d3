/// Kubernetes' `ValidateDaemonSetUpdateStrategy` (of the defaulted object: type
/// RollingUpdate, maxUnavailable 1, maxSurge 0 when unset): the strategy type, and for
/// RollingUpdate `maxUnavailable`/`maxSurge` each a non-negative integer or a percentage
/// of at most 100 %, exactly one of them non-zero.
enum DaemonSetUpdateRules {
    static let percentMessage = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"

    static func validate(_ ds: JSON) -> [Status.Cause] {
        let strategy = ds["spec"]["updateStrategy"]
        let type = strategy["type"].stringValue ?? ""
        switch type {
        case "OnDelete": return []
        case "RollingUpdate": break
        default: return [.notSupported("spec.updateStrategy.type", type, supported: ["RollingUpdate", "OnDelete"])]
        }
        let path = "spec.updateStrategy.rollingUpdate"
        let unavailable = strategy["rollingUpdate"]["maxUnavailable"], surge = strategy["rollingUpdate"]["maxSurge"]
        var causes = intOrPercent(unavailable, "\(path).maxUnavailable") + intOrPercent(surge, "\(path).maxSurge")
        guard causes.isEmpty else { return causes }
        let hasUnavailable = amount(unavailable) != 0, hasSurge = amount(surge) != 0
        if hasUnavailable && hasSurge {
            causes.append(invalid("\(path).maxSurge", surge, "may not be set when maxUnavailable is non-zero"))
        } else if !hasUnavailable && !hasSurge {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value: cannot be 0 when maxSurge is 0", field: "\(path).maxUnavailable"))
        }
        return causes
    }

    /// `ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent`.
    static func intOrPercent(_ v: JSON, _ field: String) -> [Status.Cause] {
        if v.isNull { return [] }
        if case .int(let i)? = try? IntOrPercent.parse(v) { return i < 0 ? [invalid(field, v, "must be greater than or equal to 0")] : [] }
        guard let s = v.stringValue else { return [invalid(field, v, "must be an integer or percentage (e.g '5%')")] }
        guard IntOrPercent.isStrictPercent(s), case .percent(let pct)? = try? IntOrPercent.parse(v) else {
            return [invalid(field, v, percentMessage)]
        }
        return pct > 100 ? [.invalid(field, s, "must not be greater than 100%")] : []
    }

    /// The integer or the percentage's number (Kubernetes' `getIntOrPercentValue`).
    static func amount(_ v: JSON) -> Int { ((try? IntOrPercent.parse(v)) ?? nil)?.amount ?? 0 }

    /// An IntOrString printed as Kubernetes' field errors print it (its `String()`, unquoted).
    static func invalid(_ field: String, _ v: JSON, _ why: String) -> Status.Cause {
        .invalid(field, bare: v.stringValue ?? v.compactString, why)
    }
}
