import Wire

/// Quantities as whole numbers, rounded up as Kubernetes' `MilliValue` and `Value` do.
public enum ResourceAmount {
    /// Millicores of a cpu quantity (`500m` → 500, `1.5` → 1500); nil when not a quantity.
    public static func milliCPU(_ q: Quantity?) -> Int64? {
        q.flatMap { Quantities.value($0.text) }.map { roundedUp($0 * 1000) }
    }

    /// Bytes of a memory quantity (`64Mi` → 67108864); nil when not a quantity.
    public static func bytes(_ q: Quantity?) -> Int64? {
        q.flatMap { Quantities.value($0.text) }.map { roundedUp($0) }
    }

    /// Up to the next integer, except where the double is an integer give or take its error;
    /// saturating (infinity and values past Int64 are Int64.max) rather than trapping.
    static func roundedUp(_ x: Double) -> Int64 {
        let nearest = x.rounded()
        if abs(x - nearest) <= 1e-9 * max(1, abs(x)) { return Int64(saturating: nearest) }
        return Int64(saturating: x.rounded(.up))
    }
}
