import Foundation

/// batch/v1 CronJob: Kubernetes' defaults and the validation of `pkg/apis/batch/validation`
/// (`validateCronJobSpec`); its `jobTemplate` is judged by the Job rules (`JobStrategy`).
struct CronJobStrategy: ResourceStrategy {
    typealias Typed = CronJob
    let type = ResourceType.cronJobs
    var hasStatusSubresource: Bool { true }
    var tracksGeneration: Bool { true }

    /// A Job's name is `<cronjob>-<minutes since epoch>`: 11 more characters within 63.
    static let maxNameLength = 52

    func applyDefaults(_ cj: inout JSON) {
        cj.setDefault(["spec", "concurrencyPolicy"], "Allow")
        cj.setDefault(["spec", "suspend"], false)
        cj.setDefault(["spec", "successfulJobsHistoryLimit"], 3)
        cj.setDefault(["spec", "failedJobsHistoryLimit"], 1)
        // The template's pod spec is defaulted as a pod's; the Job's own defaults come when
        // a Job is made from it (as Kubernetes).
        guard cj["spec"]["jobTemplate"]["spec"].objectValue != nil else { return }
        var asJob: JSON = ["spec": cj["spec"]["jobTemplate"]["spec"]]
        PodTemplateRules.applyDefaults(&asJob)
        cj[path: ["spec", "jobTemplate", "spec"]] = asJob["spec"]
    }

    func validate(_ cj: JSON) -> [Status.Cause] {
        let spec = cj["spec"]
        var causes: [Status.Cause] = []
        let schedule = spec["schedule"].stringValue ?? ""
        if schedule.isEmpty {
            causes.append(.required("spec.schedule"))
        } else {
            causes += Self.validateSchedule(schedule)
        }
        if let v = spec["startingDeadlineSeconds"].intValue, v < 0 { causes.append(.negative("spec.startingDeadlineSeconds", v)) }
        if let tz = spec["timeZone"].stringValue, let why = Self.timeZoneProblem(tz) { causes.append(.invalid("spec.timeZone", tz, why)) }
        let policy = spec["concurrencyPolicy"].stringValue ?? "Allow"
        if policy.isEmpty {
            causes.append(.required("spec.concurrencyPolicy"))
        } else if !["Allow", "Forbid", "Replace"].contains(policy) {
            causes.append(.notSupported("spec.concurrencyPolicy", policy, supported: ["Allow", "Forbid", "Replace"]))
        }
        causes += Self.validateJobTemplate(spec["jobTemplate"])
        for f in ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"] {
            if let v = spec[f].intValue, v < 0 { causes.append(.negative("spec." + f, v)) }
        }
        return causes
    }

    func validateCreate(_ cj: JSON) -> [Status.Cause] {
        let name = cj["metadata"]["name"].stringValue ?? ""
        if name.count > Self.maxNameLength { return [.invalid("metadata.name", name, "must be no more than 52 characters")] }
        return []
    }

    /// robfig's parse errors, and Kubernetes' refusal of a time zone inside the schedule.
    static func validateSchedule(_ schedule: String) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        var body = Substring(schedule)
        // robfig's parser takes a leading `TZ=zone` or `CRON_TZ=zone`; Kubernetes then refuses it.
        for prefix in ["TZ=", "CRON_TZ="] where body.hasPrefix(prefix) {
            let zone = body.dropFirst(prefix.count).prefix { $0 != " " }
            if TimeZone(identifier: String(zone)) == nil {
                causes.append(.invalid("spec.schedule", schedule, "provided bad location \(zone): unknown time zone \(zone)"))
                return causes + [tzRefused(schedule)]
            }
            body = body.dropFirst(prefix.count + zone.count).drop { $0 == " " }
        }
        do throws(CronSchedule.ParseError) {
            _ = try CronSchedule.parse(String(body))
        } catch {
            causes.append(.invalid("spec.schedule", schedule, error.message))
        }
        if schedule.contains("TZ") { causes.append(tzRefused(schedule)) }
        return causes
    }

    static func tzRefused(_ schedule: String) -> Status.Cause {
        .invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    }

    /// Kubernetes' `validateTimeZone`: an IANA name from the zone database.
    static func timeZoneProblem(_ tz: String) -> String? {
        if tz.isEmpty { return "timeZone must be nil or non-empty string" }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+")
        for part in tz.split(separator: "/", omittingEmptySubsequences: false) {
            if part == "." || part == ".." || part.hasPrefix("-") || part.isEmpty || !part.allSatisfy(allowed.contains) {
                return "unknown time zone \(tz)"
            }
        }
        if tz.lowercased() == "local" { return "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones" }
        return zone(tz) == nil ? "unknown time zone \(tz)" : nil
    }

    /// The zone for an IANA name (UTC by default), if the zone database has it (as Go's
    /// `time.LoadLocation`, which knows no abbreviations such as `PST`).
    static func zone(_ name: String?) -> TimeZone? {
        guard let name, name != "UTC" else { return TimeZone(identifier: "UTC") }
        guard FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/" + name) else { return nil }
        return TimeZone(identifier: name)
    }

    /// Kubernetes' `ValidateJobTemplateSpec`: the Job rules under `spec.jobTemplate.spec`,
    /// and no selector (it is generated for each Job).
    static func validateJobTemplate(_ template: JSON) -> [Status.Cause] {
        var jobSpec = template["spec"]
        let selector = jobSpec["selector"], manual = jobSpec["manualSelector"]
        jobSpec["selector"] = .null
        jobSpec["manualSelector"] = .null
        let asJob: JSON = ["metadata": ["name": "template"], "spec": jobSpec.isNull ? .object(JSONObject()) : jobSpec]
        var causes = JobStrategy().validate(asJob).map { c in
            var moved = c
            moved.field = "spec.jobTemplate." + c.field
            return moved
        }
        if !selector.isNull { causes.append(.invalid("spec.jobTemplate.spec.selector", selector.compactString, "`selector` will be auto-generated")) }
        if manual.boolValue == true { causes.append(.notSupported("spec.jobTemplate.spec.manualSelector", "true", supported: ["nil", "false"])) }
        return causes
    }
}
