/// Kubernetes resource quantities (`100m`, `2Gi`, `1.5`, `3e2`) as numbers, for sorting.
enum Quantity {
    static let suffixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("Pi", 1_125_899_906_842_624),
        ("Ei", 1_152_921_504_606_846_976), ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9),
        ("T", 1e12), ("P", 1e15), ("E", 1e18),
    ]

    /// The amount, or nil when `s` is not a quantity.
    static func value(_ s: String) -> Double? {
        guard let first = s.first, first.isNumber || "+-.".contains(first) else { return nil }
        for (suffix, factor) in suffixes where s.hasSuffix(suffix) {
            return number(String(s.dropLast(suffix.count))).map { $0 * factor }
        }
        return number(s)
    }

    /// A plain decimal, optionally with an exponent; no hex, inf or nan.
    private static func number(_ s: String) -> Double? {
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
        return Double(s)
    }
}
