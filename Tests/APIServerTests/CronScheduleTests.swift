import Foundation
import Testing
@testable import apiserver

/// Cron schedules as Kubernetes (robfig/cron v3) parses them, and their next and missed
/// times, in UTC and across a DST change.
@Suite struct CronScheduleTests {
    let utc = TimeZone(identifier: "UTC")!
    let newYork = TimeZone(identifier: "America/New_York")!

    func t(_ s: String) -> Double { Timestamp.parse(s)! }
    func f(_ v: Double?) -> String { v.map(Timestamp.format) ?? "none" }
    func next(_ schedule: String, _ after: String, _ zone: TimeZone? = nil) throws -> String {
        f(try CronSchedule.parse(schedule).next(after: t(after), in: zone ?? utc))
    }
    func error(_ schedule: String) -> String {
        do {
            _ = try CronSchedule.parse(schedule)
            return "parsed"
        } catch { return error.message }
    }

    @Test func fieldsRangesStepsListsAndNames() throws {
        #expect(try next("*/15 * * * *", "2026-11-30T10:07:30Z") == "2026-11-30T10:15:00Z")
        #expect(try next("0 9-17/4 * * *", "2026-11-30T10:00:00Z") == "2026-11-30T13:00:00Z")
        #expect(try next("5,35 * * * *", "2026-11-30T10:05:00Z") == "2026-11-30T10:35:00Z")
        // 2026-11-30 is a Monday.
        #expect(try next("0 8 * * MON", "2026-11-30T09:00:00Z") == "2026-12-07T08:00:00Z")
        #expect(try next("0 0 1 jan ?", "2026-11-30T09:00:00Z") == "2027-01-01T00:00:00Z")
        #expect(try next("30 6 * FEB-MAR fri", "2026-11-30T09:00:00Z") == "2027-02-05T06:30:00Z")
        // Both day fields restricted: either matches (the 1st, or a Sunday).
        #expect(try next("0 0 1 * 0", "2026-11-30T09:00:00Z") == "2026-12-01T00:00:00Z")
        #expect(try next("0 0 2 * 0", "2026-11-30T09:00:00Z") == "2026-12-02T00:00:00Z")
        #expect(try next("0 0 3 * 0", "2026-11-30T09:00:00Z") == "2026-12-03T00:00:00Z")
        #expect(try next("0 0 31 2 *", "2026-11-30T09:00:00Z") == "none")
    }

    /// A step near Int.max sets only the start (it used to trap in `stride`).
    @Test func hugeStepsSetOnlyTheStart() throws {
        #expect(try next("1/9223372036854775807 * * * *", "2026-11-30T10:07:30Z") == "2026-11-30T11:01:00Z")
        #expect(try next("*/9223372036854775807 * * * *", "2026-11-30T10:07:30Z") == "2026-11-30T11:00:00Z")
    }

    @Test func macros() throws {
        #expect(try next("@hourly", "2026-11-30T10:07:00Z") == "2026-11-30T11:00:00Z")
        #expect(try next("@daily", "2026-11-30T10:07:00Z") == "2026-12-01T00:00:00Z")
        #expect(try next("@midnight", "2026-11-30T10:07:00Z") == "2026-12-01T00:00:00Z")
        #expect(try next("@weekly", "2026-11-30T10:07:00Z") == "2026-12-06T00:00:00Z")
        #expect(try next("@monthly", "2026-11-30T10:07:00Z") == "2026-12-01T00:00:00Z")
        #expect(try next("@yearly", "2026-11-30T10:07:00Z") == "2027-01-01T00:00:00Z")
        #expect(try next("@annually", "2026-11-30T10:07:00Z") == "2027-01-01T00:00:00Z")
    }

    @Test func robfigsParseErrors() {
        #expect(error("") == "empty spec string")
        #expect(error("* * *") == "expected exactly 5 fields, found 3: [* * *]")
        #expect(error("@every 5m") == "unrecognized descriptor: @every 5m")
        #expect(error("60 * * * *") == "end of range (60) above maximum (59): 60")
        #expect(error("* * 0 * *") == "beginning of range (0) below minimum (1): 0")
        #expect(error("* * * * 7") == "end of range (7) above maximum (6): 7")
        #expect(error("5-2 * * * *") == "beginning of range (5) beyond end of range (2): 5-2")
        #expect(error("*/0 * * * *") == "step of range should be a positive number: */0")
        #expect(error("1-2-3 * * * *") == "too many hyphens: 1-2-3")
        #expect(error("*/2/3 * * * *") == "too many slashes: */2/3")
        #expect(error("x * * * *") == "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax")
    }

    /// America/New_York: 2026-03-08 02:00 EST jumps to 03:00 EDT; 2026-11-01 02:00 EDT
    /// falls back to 01:00 EST.
    @Test func daylightSavingChangesInNewYork() throws {
        // Daily at 09:00 local: 14:00Z before the change, 13:00Z after.
        #expect(try next("0 9 * * *", "2026-03-07T14:00:00Z", newYork) == "2026-03-08T13:00:00Z")
        // The skipped local hour never fires that day.
        #expect(try next("30 2 * * *", "2026-03-08T05:00:00Z", newYork) == "2026-03-09T06:30:00Z")
        // The repeated local hour fires in both offsets.
        #expect(try next("30 1 * * *", "2026-11-01T04:00:00Z", newYork) == "2026-11-01T05:30:00Z")
        #expect(try next("30 1 * * *", "2026-11-01T05:30:00Z", newYork) == "2026-11-01T06:30:00Z")
        #expect(try next("@daily", "2026-11-30T10:00:00Z", newYork) == "2026-12-01T05:00:00Z")
    }

    @Test func mostRecentMissedTimeAndRequeue() throws {
        let hourly = CronTimes(schedule: try CronSchedule.parse("0 * * * *"), zone: utc)
        // Created 09:10, now 12:30: 10:00, 11:00 and 12:00 missed; 12:00 is the one to run.
        let r = try hourly.mostRecent(created: t("2026-11-30T09:10:00Z"), lastSchedule: nil, deadline: nil, now: t("2026-11-30T12:30:00Z"))
        #expect(f(r.mostRecent) == "2026-11-30T12:00:00Z")
        #expect(r.missed == .few)
        // Nothing due yet.
        let none = try hourly.mostRecent(created: t("2026-11-30T09:10:00Z"), lastSchedule: nil, deadline: nil, now: t("2026-11-30T09:59:59Z"))
        #expect(none.mostRecent == nil && none.missed == .none)
        // A deadline of 10 minutes moves the search to 12:20: nothing due.
        let late = try hourly.mostRecent(created: t("2026-11-30T09:10:00Z"), lastSchedule: nil, deadline: 600, now: t("2026-11-30T12:30:00Z"))
        #expect(late.mostRecent == nil)
        // Over 100 missed.
        let many = try hourly.mostRecent(created: t("2026-11-20T00:00:00Z"), lastSchedule: nil, deadline: nil, now: t("2026-11-30T12:30:00Z"))
        #expect(many.missed == .many && f(many.mostRecent) == "2026-11-30T12:00:00Z")
        // The next look is at 13:00 plus 100 ms.
        let after = hourly.requeueAfter(created: t("2026-11-30T09:10:00Z"), lastSchedule: t("2026-11-30T12:00:00Z"), now: t("2026-11-30T12:30:00Z"))
        #expect(after.map { ($0 * 1000).rounded() } == 1_800_100)
    }
}
