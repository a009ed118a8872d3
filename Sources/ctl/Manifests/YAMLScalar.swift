/// What a plain (unquoted, untagged) YAML scalar means, as Kubernetes reads it.
///
/// kubectl and the apiserver turn YAML into JSON with sigs.k8s.io/yaml, which reads YAML 1.1
/// with go-yaml v2 and then marshals the result as JSON. So, matching go-yaml v2's `resolve`:
/// - `y Y yes Yes YES true True TRUE on On ON` are true, the `n/no/false/off` forms false;
/// - `~ null Null NULL` and the empty scalar are null;
/// - integers as Go's `strconv.ParseInt(s, 0, 64)` reads them after removing every `_`:
///   `0x1F` is 31, `0o17` and `0400` are octal (15, 256), `0b101` binary, `1_000` is 1000;
///   beyond Int64, UInt64; beyond that, a float;
/// - floats matching `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (and `.inf`,
///   `.nan` forms, which JSON cannot carry); a float too large for a Double stays a string,
///   as Go's ParseFloat fails on it;
/// - anything else, including timestamps and base-60 `1:30`, is a string.
enum YAMLScalar {
    enum Value: Equatable {
        case null
        case bool(Bool)
        /// Decimal digits, with a sign if negative.
        case int(String)
        case float(Double)
        case string
    }

    static let trueWords: Set<String> = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
    static let falseWords: Set<String> = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]
    static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]
    static let specialFloats: [String: Double] = [
        ".nan": .nan, ".NaN": .nan, ".NAN": .nan,
        ".inf": .infinity, ".Inf": .infinity, ".INF": .infinity,
        "+.inf": .infinity, "+.Inf": .infinity, "+.INF": .infinity,
        "-.inf": -.infinity, "-.Inf": -.infinity, "-.INF": -.infinity,
    ]

    static func resolve(_ s: String) -> Value {
        if nullWords.contains(s) { return .null }
        if trueWords.contains(s) { return .bool(true) }
        if falseWords.contains(s) { return .bool(false) }
        if let f = specialFloats[s] { return .float(f) }
        guard let first = s.unicodeScalars.first, "+-.0123456789".unicodeScalars.contains(first) else { return .string }
        let plain = s.replacingOccurrences(of: "_", with: "")
        // go-yaml removes underscores only on the integer and float paths that start with a
        // digit or sign; a leading "." goes straight to ParseFloat, which refuses them.
        if first == ".", plain != s { return .string }
        if let i = goInteger(plain) { return .int(i) }
        if isDecimalFloat(plain), let d = Double(plain), d.isFinite { return .float(d) }
        return .string
    }

    /// `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`: decimal text or nil.
    static func goInteger(_ s: String) -> String? {
        var body = Substring(s)
        var negative = false
        if let c = body.first, c == "+" || c == "-" {
            negative = c == "-"
            body = body.dropFirst()
        }
        var radix = 10
        let lower = body.lowercased()
        if lower.hasPrefix("0x") { radix = 16; body = body.dropFirst(2) }
        else if lower.hasPrefix("0o") { radix = 8; body = body.dropFirst(2) }
        else if lower.hasPrefix("0b") { radix = 2; body = body.dropFirst(2) }
        else if body.count > 1 && body.hasPrefix("0") { radix = 8; body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.hexDigitValue.map { $0 < radix } == true }) else { return nil }
        if let u = UInt64(body, radix: radix) {
            if negative {
                // Int64.min is allowed; ParseUint does not take a sign.
                if u <= UInt64(Int64.max) + 1 { return u == 0 ? "0" : "-" + String(u) }
                return nil
            }
            return String(u)
        }
        return nil
    }

    /// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    static func isDecimalFloat(_ s: String) -> Bool {
        var c = Substring(s)
        func digits() -> Int {
            let n = c.prefix { $0 >= "0" && $0 <= "9" }.count
            c = c.dropFirst(n)
            return n
        }
        if c.first == "+" || c.first == "-" { c = c.dropFirst() }
        if c.first == "." {
            c = c.dropFirst()
            guard digits() > 0 else { return false }
        } else {
            guard digits() > 0 else { return false }
            if c.first == "." {
                c = c.dropFirst()
                _ = digits()
            }
        }
        if c.first == "e" || c.first == "E" {
            c = c.dropFirst()
            if c.first == "+" || c.first == "-" { c = c.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return c.isEmpty
    }

    /// A Double as Go's encoding/json writes a float64: shortest digits that read back the
    /// same, plain notation for 1e-6 <= |d| < 1e21, else `1e+21` / `1e-7`.
    static func goJSON(_ d: Double) -> String {
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        // Swift's description is also shortest round-trip: "1.0", "1e-07", "1.5e+20".
        let text = "\(Swift.abs(d))"
        let parts = text.split(separator: "e")
        let mantissa = parts[0]
        var exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let dot = mantissa.firstIndex(of: ".") ?? mantissa.endIndex
        var digits = String(mantissa[..<dot]) + String(mantissa[dot...].dropFirst())
        exponent += mantissa.distance(from: mantissa.startIndex, to: dot) - 1
        // Normalise to one leading non-zero digit: "0.001" is digits "0001", exponent -1.
        while digits.count > 1 && digits.hasPrefix("0") { digits.removeFirst(); exponent -= 1 }
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        let sign = d < 0 ? "-" : ""
        let magnitude = Swift.abs(d)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            let rest = digits.dropFirst()
            return sign + String(digits.prefix(1)) + (rest.isEmpty ? "" : "." + rest) + "e" + (exponent < 0 ? "-" : "+") + String(Swift.abs(exponent))
        }
        if exponent < 0 { return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits }
        if digits.count <= exponent + 1 { return sign + digits + String(repeating: "0", count: exponent + 1 - digits.count) }
        let cut = digits.index(digits.startIndex, offsetBy: exponent + 1)
        return sign + digits[..<cut] + "." + digits[cut...]
    }
}
