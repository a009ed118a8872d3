import Foundation

/// kubectl 1.32's `printJob`: STATUS from the conditions (Complete, Failed, Terminating,
/// Suspended, FailureTarget, SuccessCriteriaMet, else Running), COMPLETIONS as
/// `succeeded/completions` (`n/1 of P` for a work queue with parallelism above 1), DURATION
/// from startTime to completionTime (or now; blank before it starts).
enum JobColumns {
    static let wideHeader = ["CONTAINERS", "IMAGES", "SELECTOR"]

    static func row(_ job: JSON, name: String, age: String, wide: Bool, now: Double = Timestamp.nowSeconds()) -> [String] {
        let spec = job["spec"], status = job["status"]
        let succeeded = status["succeeded"].intValue ?? 0
        let completions: String
        if let c = spec["completions"].intValue {
            completions = "\(succeeded)/\(c)"
        } else if let p = spec["parallelism"].intValue, p > 1 {
            completions = "\(succeeded)/1 of \(p)"
        } else {
            completions = "\(succeeded)/1"
        }
        var duration = ""
        if let start = status["startTime"].stringValue.flatMap(Timestamp.parse) {
            let end = status["completionTime"].stringValue.flatMap(Timestamp.parse) ?? now
            duration = Age.human(end - start)
        }
        var r = [name, state(job), completions, duration, age]
        if wide { r += Columns.workloadWide(job) }
        return r
    }

    static func state(_ job: JSON) -> String {
        func has(_ type: String) -> Bool {
            (job["status"]["conditions"].arrayValue ?? []).contains { $0["type"].stringValue == type && $0["status"].stringValue == "True" }
        }
        if has("Complete") { return "Complete" }
        if has("Failed") { return "Failed" }
        if !job["metadata"]["deletionTimestamp"].isNull { return "Terminating" }
        if has("Suspended") { return "Suspended" }
        if has("FailureTarget") { return "FailureTarget" }
        if has("SuccessCriteriaMet") { return "SuccessCriteriaMet" }
        return "Running"
    }
}

/// kubectl 1.32's `printCronJob`: TIMEZONE and LAST SCHEDULE `<none>` when unset, SUSPEND
/// `True`/`False`, ACTIVE the count of `status.active`; `-o wide` adds the template's
/// containers, images and Job selector.
enum CronJobColumns {
    static let header = ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]
    static let wideHeader = ["CONTAINERS", "IMAGES", "SELECTOR"]

    static func row(_ cj: JSON, name: String, age: String, wide: Bool, now: Double = Timestamp.nowSeconds()) -> [String] {
        let spec = cj["spec"], status = cj["status"]
        let suspend = spec["suspend"].boolValue.map { $0 ? "True" : "False" } ?? "<unset>"
        let last = status["lastScheduleTime"].stringValue.map { Age.since($0, now: now) } ?? "<none>"
        var r = [name, spec["schedule"].stringValue ?? "", spec["timeZone"].stringValue ?? "<none>", suspend,
                 String(status["active"].arrayValue?.count ?? 0), last, age]
        if wide { r += Columns.workloadWide(spec["jobTemplate"]) }
        return r
    }
}
