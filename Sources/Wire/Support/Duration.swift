/// Durations as Kubernetes flags write them: `40s`, `5m`, `1h30m`, `250ms`, `1.5s`.
public enum Duration {
    /// Seconds, or nil when `text` is not a duration.
    public static func seconds(_ text: String) -> Double? {
        var total = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        if let plain = Double(rest) { return plain }
        while !rest.isEmpty {
            var num = ""
            while let c = rest.first, c.isNumber || c == "." { num.append(c); rest.removeFirst() }
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
        return total
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

    /// Like `seconds`, throwing a message that names the flag.
    public static func parse(_ text: String, flag: String) throws -> Double {
        guard let s = seconds(text), s >= 0 else { throw DurationError(message: "\(flag) must be a duration such as 40s, 5m or 1h, got \"\(text)\"") }
        return s
    }
}

public struct DurationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
