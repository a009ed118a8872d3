/// Parsing Kubernetes quantities (`500m`, `1.5`, `64Mi`, `1G`, `1e3`) into numbers, with the
/// grammar of Kubernetes' `resource.ParseQuantity`: an optional sign, digits with an optional
/// fraction, then a binary (`Ki` … `Ei`), decimal (`n` … `E`) or exponent (`e3`, `E-2`) suffix.
/// `inf`, `nan` and hexadecimal, which Swift's `Double(_:)` would take, are not quantities.
public enum Quantities {
    /// Why a text is not a quantity; `message` is Kubernetes' error text.
    public enum ParseError: Error, Equatable, Sendable {
        case format, numeric, suffix

        public var message: String {
            switch self {
            case .format: return "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            case .numeric: return "unable to parse numeric part of quantity"
            case .suffix: return "unable to parse quantity's suffix"
            }
        }
    }

    /// The value in base units (cores, bytes), or nil if `text` is not a quantity. A quantity
    /// too large for a double (`1e400`) is ±infinity: callers convert with `Int64(saturating:)`.
    public static func value(_ text: String) -> Double? { try? parse(text).get() }

    /// The quantity of `json` (string, or number as Kubernetes reads an unquoted quantity).
    public static func value(_ json: JSON) -> Double? { text(json).flatMap(value) }

    /// The text a JSON quantity is written as: a string's contents, a number's literal.
    public static func text(_ json: JSON) -> String? {
        switch json {
        case .string(let s): return s
        case .number(let n): return n
        default: return nil
        }
    }

    public static func parse(_ text: String) -> Result<Double, ParseError> {
        let b = Array(text.utf8)
        guard !b.isEmpty else { return .failure(.format) }
        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        var pos = 0
        let negative = b[0] == UInt8(ascii: "-")
        if negative || b[0] == UInt8(ascii: "+") { pos = 1 }
        let intStart = pos
        while pos < b.count, isDigit(b[pos]) { pos += 1 }
        let intDigits = b[intStart..<pos]
        var fracDigits = b[pos..<pos]
        if pos < b.count, b[pos] == UInt8(ascii: ".") {
            pos += 1
            let fracStart = pos
            while pos < b.count, isDigit(b[pos]) { pos += 1 }
            fracDigits = b[fracStart..<pos]
        }
        let suffixStart = pos
        let suffixLetters = Set("eEinumkKMGTP".utf8)
        while pos < b.count, suffixLetters.contains(b[pos]) { pos += 1 }
        if pos < b.count, b[pos] == UInt8(ascii: "+") || b[pos] == UInt8(ascii: "-") { pos += 1 }
        while pos < b.count, isDigit(b[pos]) { pos += 1 }
        guard pos == b.count else { return .failure(.format) }
        guard !intDigits.isEmpty || !fracDigits.isEmpty else { return .failure(.numeric) }

        let digits = String(decoding: intDigits.isEmpty ? [UInt8(ascii: "0")] : Array(intDigits), as: UTF8.self)
            + "." + String(decoding: fracDigits.isEmpty ? [UInt8(ascii: "0")] : Array(fracDigits), as: UTF8.self)
        let suffix = String(decoding: b[suffixStart...], as: UTF8.self)
        var magnitude: Double
        if let exponent = decimalSuffixes[suffix] {
            magnitude = scaled(digits, exponent)
        } else if let power = binarySuffixes[suffix] {
            magnitude = scaled(digits, 0) * Double(sign: .plus, exponent: power, significand: 1)
        } else if suffix.count > 1, suffix.first == "e" || suffix.first == "E", let exponent = Int64(suffix.dropFirst()) {
            magnitude = scaled(digits, Int(max(-100_000, min(100_000, exponent))))
        } else {
            return .failure(.suffix)
        }
        if negative { magnitude = -magnitude }
        return .success(magnitude)
    }

    /// `digits` (`12.5`) times 10^exponent, rounded once (±inf when out of range).
    private static func scaled(_ digits: String, _ exponent: Int) -> Double {
        Double(exponent == 0 ? digits : "\(digits)e\(exponent)") ?? .nan
    }

    private static let decimalSuffixes: [String: Int] = ["n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]
    private static let binarySuffixes: [String: Int] = ["Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60]
}
