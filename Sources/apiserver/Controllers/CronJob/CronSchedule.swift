/// A parsed cron schedule, as Kubernetes parses `spec.schedule` (robfig/cron v3's
/// `ParseStandard`): five fields (minute hour day-of-month month day-of-week) with `*`, `?`,
/// ranges `a-b`, steps `/n`, lists `a,b`, month and weekday names (`JAN`, `mon`), or one of
/// the macros `@yearly` `@annually` `@monthly` `@weekly` `@daily` `@midnight` `@hourly`.
/// Errors carry robfig's messages, which Kubernetes shows in its 422.
struct CronSchedule: Equatable, Sendable {
    /// One bit per allowed value; `star` is set when the field was `*` or `?` (with no step
    /// over 1), which decides how day-of-month and day-of-week combine.
    var minute: UInt64, hour: UInt64, dayOfMonth: UInt64, month: UInt64, dayOfWeek: UInt64

    static let star: UInt64 = 1 << 63

    struct Bounds {
        let min: Int, max: Int
        var names: [String: Int] = [:]
    }
    static let minutes = Bounds(min: 0, max: 59)
    static let hours = Bounds(min: 0, max: 23)
    static let days = Bounds(min: 1, max: 31)
    static let months = Bounds(min: 1, max: 12, names: ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                                                        "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12])
    static let weekdays = Bounds(min: 0, max: 6, names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6])

    static let macros = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                         "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]

    struct ParseError: Error, Equatable { let message: String }

    /// Parses a schedule without a `TZ=` prefix (Kubernetes refuses those; the time zone is
    /// `spec.timeZone`). `@every` is robfig's, not a documented Kubernetes form: refused.
    static func parse(_ text: String) throws(ParseError) -> CronSchedule {
        var spec = text
        if spec.isEmpty { throw ParseError(message: "empty spec string") }
        if spec.hasPrefix("@") {
            guard let expanded = macros[spec] else { throw ParseError(message: "unrecognized descriptor: \(spec)") }
            spec = expanded
        }
        let fields = spec.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(message: "expected exactly 5 fields, found \(fields.count): [\(fields.joined(separator: " "))]")
        }
        return CronSchedule(minute: try field(fields[0], minutes), hour: try field(fields[1], hours),
                            dayOfMonth: try field(fields[2], days), month: try field(fields[3], months),
                            dayOfWeek: try field(fields[4], weekdays))
    }

    /// A comma-separated list of ranges.
    static func field(_ text: String, _ b: Bounds) throws(ParseError) -> UInt64 {
        var bits: UInt64 = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) { bits |= try range(String(part), b) }
        return bits
    }

    /// `*`, `?`, `n`, `a-b`, each optionally `/step` (`n/step` means `n-max/step`).
    static func range(_ expr: String, _ b: Bounds) throws(ParseError) -> UInt64 {
        let rangeAndStep = expr.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let lowAndHigh = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let singleDigit = lowAndHigh.count == 1
        var start: Int, end: Int, extra: UInt64 = 0
        if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
            start = b.min
            end = b.max
            extra = star
        } else {
            start = try intOrName(lowAndHigh[0], b)
            switch lowAndHigh.count {
            case 1: end = start
            case 2: end = try intOrName(lowAndHigh[1], b)
            default: throw ParseError(message: "too many hyphens: \(expr)")
            }
        }
        var step = 1
        switch rangeAndStep.count {
        case 1: break
        case 2:
            step = try int(rangeAndStep[1])
            if singleDigit { end = b.max }
            if step > 1 { extra = 0 }
        default: throw ParseError(message: "too many slashes: \(expr)")
        }
        if start < b.min { throw ParseError(message: "beginning of range (\(start)) below minimum (\(b.min)): \(expr)") }
        if end > b.max { throw ParseError(message: "end of range (\(end)) above maximum (\(b.max)): \(expr)") }
        if start > end { throw ParseError(message: "beginning of range (\(start)) beyond end of range (\(end)): \(expr)") }
        if step == 0 { throw ParseError(message: "step of range should be a positive number: \(expr)") }
        var bits: UInt64 = 0
        // Stepped by hand: `stride` traps when a step near Int.max overflows the next value.
        var v = start
        while step > 0, v <= end {
            bits |= 1 << UInt64(v)
            let (next, overflow) = v.addingReportingOverflow(step)
            if overflow { break }
            v = next
        }
        return bits | extra
    }

    static func intOrName(_ s: String, _ b: Bounds) throws(ParseError) -> Int {
        if let v = b.names[s.lowercased()] { return v }
        return try int(s)
    }

    /// Go's `strconv.Atoi` with robfig's wrapping of its errors.
    static func int(_ s: String) throws(ParseError) -> Int {
        guard let v = Int(s) else {
            let reason = s.allSatisfy({ $0.isNumber }) && !s.isEmpty ? "value out of range" : "invalid syntax"
            throw ParseError(message: "failed to parse int from \(s): strconv.Atoi: parsing \"\(s)\": \(reason)")
        }
        if v < 0 { throw ParseError(message: "negative number (\(v)) not allowed: \(s)") }
        return v
    }

    func has(_ bits: UInt64, _ v: Int) -> Bool { bits & (1 << UInt64(v)) != 0 }

    /// robfig's `dayMatches`: when either day field is `*`, both must match; otherwise either.
    func dayMatches(day: Int, weekday: Int) -> Bool {
        let dom = has(dayOfMonth, day), dow = has(dayOfWeek, weekday)
        if dayOfMonth & Self.star != 0 || dayOfWeek & Self.star != 0 { return dom && dow }
        return dom || dow
    }
}
