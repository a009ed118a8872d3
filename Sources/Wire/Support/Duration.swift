/// Durations as Kubernetes flags write them: `40s`, `5m`, `1h30m`, `250ms`, `1.5s`.
public enum Duration {
    /// The longest duration Go's `time.Duration` holds (about 292 years), as Kubernetes'
    /// flags allow; longer ones are refused rather than overflowing later.
    public static let maxSeconds = 9_223_372_036.0

    /// Seconds, or nil when `text` is not a duration: only digits, `.` and units, so `inf`,
    /// `nan`, `-5s` and `1e400` are refused, and nothing above `maxSeconds`.
    public static func seconds(_ text: String) -> Double? {
        func isDigit(_ c: Character) -> Bool { c.isASCII && (c.isNumber || c == ".") }
        var total = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        if rest.allSatisfy(isDigit) {
            guard let plain = Double(rest), plain <= maxSeconds else { return nil }
            return plain
        }
        while !rest.isEmpty {
            var num = ""
            while let c = rest.first, isDigit(c) { num.append(c); rest.removeFirst() }
            var unit = ""
            while let c = rest.first, c.isLetter { unit.append(c); rest.removeFirst() }
            guard let v = Double(num) else { return nil }
            switch unit {
            case "ns": total += v / 1e9
            case "us", "µs": total += v / 1e6
            case "ms": total += v / 1e3
            case "s": total += v
            case "m": total += v * 60
            case "h": total += v * 3600
            default: return nil
            }
        }
        return total.isFinite && total <= maxSeconds ? total : nil
    }

    /// As Go prints a `time.Duration` (Kubernetes' config files use it): `40s`, `5m0s`,
    /// `1h0m0s`, `250ms`, `1.5s`.
    public static func goString(_ seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        func plain(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
        if seconds < 1 { return plain(seconds * 1000) + "ms" }
        var rest = seconds
        var out = ""
        let h = Int(rest / 3600)
        if h > 0 { out += "\(h)h"; rest -= Double(h) * 3600 }
        let m = Int(rest / 60)
        if h > 0 || m > 0 { out += "\(m)m"; rest -= Double(m) * 60 }
        return out + plain(rest) + "s"
    }

    /// Like `seconds`, throwing a message that names the flag. `positive` refuses zero (for
    /// periods, which would spin); `atMost` bounds it further (a Lease holds whole seconds
    /// in an int32).
    public static func parse(_ text: String, flag: String, positive: Bool = false, atMost limit: Double = maxSeconds) throws -> Double {
        guard let s = seconds(text), s <= limit, !(positive && s == 0) else {
            let range = (positive ? "above 0" : "from 0") + " up to " + goString(limit)
            throw DurationError(message: "\(flag) must be a duration such as 40s, 5m or 1h, \(range), got \"\(text)\"")
        }
        return s
    }
}

public struct DurationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
