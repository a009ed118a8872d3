#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 timestamps in UTC with second precision (`2026-11-28T01:06:17Z`), the form
/// Kubernetes uses for `metav1.Time`; and `MicroTime` with microseconds for leases.
public enum Timestamp {
    /// Seconds since the epoch, from the real-time clock.
    public static func nowSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Nanoseconds since the epoch, from the real-time clock (exact, unlike `nowSeconds`).
    public static func nowNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public static func now() -> String { format(nowSeconds()) }

    /// RFC 1123 with a numeric zone, in UTC, as kubectl describe prints times:
    /// `Sat, 28 Nov 2026 09:24:22 +0000`.
    public static func rfc1123(_ seconds: Double) -> String {
        let tm = utc(seconds)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return days[Int(tm.tm_wday)] + ", " + two(Int(tm.tm_mday)) + " " + months[Int(tm.tm_mon)] + " " + String(format4(Int(tm.tm_year) + 1900))
            + " " + two(Int(tm.tm_hour)) + ":" + two(Int(tm.tm_min)) + ":" + two(Int(tm.tm_sec)) + " +0000"
    }

    /// `2026-11-28T01:06:17Z`.
    public static func format(_ seconds: Double) -> String {
        let tm = utc(seconds)
        return String(format4(Int(tm.tm_year) + 1900)) + "-" + two(Int(tm.tm_mon) + 1) + "-" + two(Int(tm.tm_mday)) + "T"
            + two(Int(tm.tm_hour)) + ":" + two(Int(tm.tm_min)) + ":" + two(Int(tm.tm_sec)) + "Z"
    }

    /// The range of times written: years 0001 to 9999, as RFC 3339 has four digits. A time
    /// beyond (a client's grace period of Int64.max seconds added to now) is written as the
    /// nearest end instead of trapping in the conversion; NaN as the epoch.
    public static let earliest = -62_135_596_800.0, latest = 253_402_300_799.0

    static func clamped(_ seconds: Double) -> Double { seconds.isNaN ? 0 : min(max(seconds, earliest), latest) }

    /// The calendar fields of a time in UTC (whole seconds).
    private static func utc(_ seconds: Double) -> tm {
        var t = time_t(clamped(seconds).rounded(.down))
        var out = tm()
        gmtime_r(&t, &out)
        return out
    }

    /// `2026-11-28T01:06:17.123456Z` (MicroTime, as leases carry it).
    public static func formatMicro(_ seconds: Double) -> String {
        let seconds = clamped(seconds)
        let base = format(seconds)
        let micros = Int(((seconds - seconds.rounded(.down)) * 1_000_000).rounded(.down))
        var frac = String(micros)
        while frac.count < 6 { frac = "0" + frac }
        return String(base.dropLast()) + "." + frac + "Z"
    }

    public static func nowMicro() -> String { formatMicro(nowSeconds()) }

    /// Parses RFC 3339 (`Z` or `±hh:mm` offsets, optional fraction) to seconds since the epoch.
    public static func parse(_ s: String) -> Double? {
        let u = Array(s.utf8)
        guard u.count >= 20 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? {
            var v = 0
            for i in from..<(from + len) {
                guard i < u.count, u[i] >= 0x30, u[i] <= 0x39 else { return nil }
                v = v * 10 + Int(u[i] - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let sec = num(17, 2) else { return nil }
        var i = 19
        var frac = 0.0
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 {
                frac += Double(u[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < u.count, u[i] == UInt8(ascii: "Z") || u[i] == UInt8(ascii: "z") {
            i += 1
        } else if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (u[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        var tm = tm()
        tm.tm_year = Int32(y - 1900)
        tm.tm_mon = Int32(mo - 1)
        tm.tm_mday = Int32(d)
        tm.tm_hour = Int32(h)
        tm.tm_min = Int32(mi)
        tm.tm_sec = Int32(sec)
        let t = timegm(&tm)
        return Double(t) - Double(offset) + frac
    }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
    static func format4(_ v: Int) -> String {
        var s = String(v)
        while s.count < 4 { s = "0" + s }
        return s
    }
}
