/// Integer arithmetic on client-written amounts (resource quantities) that never traps:
/// a value past Int64's range stands at its end, as "more than anything" or "less than
/// anything", so a daemon keeps running and an absurd request simply never fits.
extension Int64 {
    /// `x` truncated toward zero; NaN is 0, and ±infinity or values out of range are
    /// `Int64.max` / `Int64.min`. (`Int64(_: Double)` traps on all of those.)
    public init(saturating x: Double) {
        if x.isNaN {
            self = 0
        } else if x >= 9_223_372_036_854_775_808.0 {
            self = .max
        } else if x < -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int64(x)
        }
    }

    public func saturatingAdd(_ other: Int64) -> Int64 {
        let (r, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : r
    }

    public func saturatingSubtract(_ other: Int64) -> Int64 {
        let (r, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : r
    }

    public func saturatingMultiply(_ other: Int64) -> Int64 {
        let (r, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) == (other < 0) ? .max : .min) : r
    }
}
