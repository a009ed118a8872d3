/// Parsing Kubernetes quantities (`500m`, `1.5`, `64Mi`, `1G`, `1e3`) into numbers.
public enum Quantities {
    /// The value in base units (cores, bytes), or nil if `text` is not a quantity.
    public static func value(_ text: String) -> Double? {
        var s = Substring(text)
        let suffixes: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1048576), ("Gi", 1073741824), ("Ti", 1099511627776), ("Pi", 1125899906842624), ("Ei", 1152921504606846976),
            ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
        ]
        var mult = 1.0
        for (suf, m) in suffixes where s.hasSuffix(suf) {
            mult = m
            s = s.dropLast(suf.count)
            break
        }
        guard !s.isEmpty, let first = s.first, first.isNumber || first == "." || first == "+" || first == "-" else { return nil }
        guard let v = Double(s) else { return nil }
        return v * mult
    }

    /// The quantity of `json` (string or number), if it is one.
    public static func value(_ json: JSON) -> Double? {
        switch json {
        case .string(let s): return value(s)
        case .number(let n): return Double(n)
        default: return nil
        }
    }
}
