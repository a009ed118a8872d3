import Wire

/// An IntOrString field of the workload kinds (`maxSurge`, `maxUnavailable`): an integer or
/// `"N%"`. The one parser behind the Deployment and DaemonSet controllers (Kubernetes'
/// `GetScaledValueFromIntOrPercent`) and their validation (`ValidatePositiveIntOrPercent`).
enum IntOrPercent: Equatable {
    case int(Int)
    case percent(Int)

    /// Why a value is not an IntOrString, in Kubernetes' words.
    struct Invalid: Error, Equatable { let message: String }

    /// The value, nil when the field is unset. As Kubernetes' controllers, a percentage is
    /// whatever `Int` reads before the `%` (a sign included); validation is stricter
    /// (`isStrictPercent`).
    static func parse(_ v: JSON) throws(Invalid) -> IntOrPercent? {
        switch v {
        case .null: return nil
        case .number:
            guard let i = v.intValue else { throw Invalid(message: "invalid value for IntOrString: \(v.compactString)") }
            return .int(i)
        case .string(let s):
            guard s.hasSuffix("%"), let p = Int(s.dropLast()) else {
                throw Invalid(message: "invalid value for IntOrString: invalid type: string is not a percentage")
            }
            return .percent(p)
        default: throw Invalid(message: "invalid value for IntOrString: invalid type: \(v.typeName)")
        }
    }

    /// An integer as is, a percentage of `total` rounded up or down. Validation keeps both
    /// within 32 bits, but an object stored before it may hold any 64-bit number: a product
    /// that does not fit is refused (Kubernetes computes in float64 and gets a meaningless int).
    func scaled(total: Int, roundUp: Bool) throws(Invalid) -> Int {
        switch self {
        case .int(let i): return i
        case .percent(let p):
            let (product, overflow) = p.multipliedReportingOverflow(by: total)
            guard !overflow, product <= Int.max - 99 else {
                throw Invalid(message: "invalid value for IntOrString: \(p)% of \(total) is out of range")
            }
            return roundUp ? (product + 99) / 100 : product / 100
        }
    }

    /// `parse` then `scaled`, with `fallback` for an unset field.
    static func scaled(_ v: JSON, total: Int, roundUp: Bool, fallback: IntOrPercent) throws(Invalid) -> Int {
        try (try parse(v) ?? fallback).scaled(total: total, roundUp: roundUp)
    }

    /// The integer, or the percentage's number (Kubernetes' `getIntOrPercentValue`).
    var amount: Int {
        switch self {
        case .int(let i), .percent(let i): return i
        }
    }

    /// The validation syntax of a percentage: `[0-9]+%`.
    static func isStrictPercent(_ s: String) -> Bool {
        s.count > 1 && s.hasSuffix("%") && s.dropLast().allSatisfy { $0.isASCII && $0.isNumber }
    }
}
