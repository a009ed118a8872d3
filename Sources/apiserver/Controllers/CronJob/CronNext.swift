import Foundation

/// When a schedule fires, in a time zone: robfig/cron's `SpecSchedule.Next`, walking local
/// months, days, hours and minutes. Hours and minutes advance in absolute time, so on a
/// spring-forward day the skipped local hour never fires and on a fall-back day the
/// repeated hour fires twice, as in Kubernetes.
extension CronSchedule {
    /// The first firing strictly after `after` (seconds since the epoch), or nil if none
    /// within five years (a schedule such as `0 0 30 2 *`).
    func next(after: Double, in zone: TimeZone) -> Double? {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        func parts(_ t: Double) -> DateComponents {
            cal.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: Date(timeIntervalSince1970: t))
        }
        func local(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0) -> Double {
            let c = DateComponents(timeZone: zone, year: y, month: mo, day: d, hour: h, minute: mi)
            return cal.date(from: c)?.timeIntervalSince1970 ?? 0
        }
        // The next whole minute.
        var t = (after / 60).rounded(.down) * 60 + 60
        var added = false
        let yearLimit = (parts(t).year ?? 0) + 5

        wrap: while true {
            var c = parts(t)
            if (c.year ?? 0) > yearLimit { return nil }
            while !has(month, c.month ?? 0) {
                if !added {
                    added = true
                    t = local(c.year ?? 0, c.month ?? 0, 1)
                }
                let (y, m) = (c.month ?? 0) == 12 ? ((c.year ?? 0) + 1, 1) : (c.year ?? 0, (c.month ?? 0) + 1)
                t = local(y, m, 1)
                c = parts(t)
                if c.month == 1 { continue wrap }
            }
            while !dayMatches(day: c.day ?? 0, weekday: (c.weekday ?? 1) - 1) {
                if !added {
                    added = true
                    t = local(c.year ?? 0, c.month ?? 0, c.day ?? 0)
                }
                t = cal.date(byAdding: .day, value: 1, to: Date(timeIntervalSince1970: t)).map { $0.timeIntervalSince1970 } ?? t + 86_400
                c = parts(t)
                // Where midnight does not exist (a DST change at 00:00), land on the day's start.
                if let h = c.hour, h != 0 {
                    t += h > 12 ? Double(24 - h) * 3600 : Double(-h) * 3600
                    c = parts(t)
                }
                if c.day == 1 { continue wrap }
            }
            while !has(hour, c.hour ?? 0) {
                if !added {
                    added = true
                    t -= Double(c.minute ?? 0) * 60
                }
                t += 3600
                c = parts(t)
                if c.hour == 0 { continue wrap }
            }
            while !has(minute, c.minute ?? 0) {
                added = true
                t += 60
                c = parts(t)
                if c.minute == 0 { continue wrap }
            }
            return t
        }
    }
}
