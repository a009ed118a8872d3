import Foundation

/// Kubernetes' cronjob controller time math (`mostRecentScheduleTime`, `nextScheduleTime`,
/// `nextScheduleTimeDuration`): which scheduled time is due, and when to look again.
/// Pure: times are seconds since the epoch.
struct CronTimes {
    let schedule: CronSchedule
    let zone: TimeZone

    enum Missed: Equatable { case none, few, many }

    struct Recent: Equatable {
        /// Where the search started: lastScheduleTime, else creation, raised to the deadline.
        var earliest: Double
        /// The latest scheduled time in (earliest, now], if any.
        var mostRecent: Double?
        var missed: Missed
    }

    struct InvalidSchedule: Error { let message = "time difference between two schedules is less than 1 second" }

    func next(_ t: Double) -> Double? { schedule.next(after: t, in: zone) }

    /// `mostRecentScheduleTime`; `deadline` is startingDeadlineSeconds when it counts.
    func mostRecent(created: Double, lastSchedule: Double?, deadline: Int?, now: Double) throws(InvalidSchedule) -> Recent {
        var earliest = lastSchedule ?? created
        if let d = deadline { earliest = max(earliest, now - Double(d)) }
        guard let t1 = next(earliest), now >= t1 else { return Recent(earliest: earliest, mostRecent: nil, missed: .none) }
        guard let t2 = next(t1), now >= t2 else { return Recent(earliest: earliest, mostRecent: t1, missed: .none) }
        let between = Int64((t2 - t1).rounded())
        if between < 1 { throw InvalidSchedule() }
        // A rough count (Kubernetes'): how many intervals fit between t1 and now.
        let missedCount = Int64(now - t1) / between + 1
        var latest: Double?
        var t = next(t1 + Double((missedCount - 2) * between))
        while let c = t, c <= now {
            latest = c
            t = next(c)
        }
        let missed: Missed = missedCount > 100 ? .many : missedCount > 1 ? .few : .none
        return Recent(earliest: earliest, mostRecent: latest, missed: missed)
    }

    /// `nextScheduleTimeDuration`: seconds from `now` until the sync after the next
    /// scheduled time (plus Kubernetes' 100 ms).
    func requeueAfter(created: Double, lastSchedule: Double?, now: Double) -> Double? {
        var from = now
        if let r = try? mostRecent(created: created, lastSchedule: lastSchedule, deadline: nil, now: now) {
            from = r.mostRecent ?? (r.missed == .none ? r.earliest : now)
        }
        guard let n = next(from) else { return nil }
        return n + 0.1 - now
    }
}
