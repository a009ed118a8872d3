import Foundation

/// The Jobs a CronJob makes (Kubernetes' `getJobFromTemplate2`) and reads.
enum CronJobJobs {
    static let scheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"

    /// `getJobName`: the scheduled time in minutes since the epoch makes the name
    /// deterministic, so a second create for the same time fails with AlreadyExists.
    static func name(_ cronJob: String, scheduled: Double) -> String { "\(cronJob)-\(Int64(scheduled) / 60)" }

    /// The Job for `scheduled`: the template's labels, annotations and spec, the CronJob as
    /// controller, and the scheduled time (RFC 3339 in the CronJob's zone) as annotation.
    static func job(for cj: JSON, scheduled: Double, zone: TimeZone) -> JSON {
        let template = cj["spec"]["jobTemplate"]
        var annotations = template["metadata"]["annotations"].objectValue ?? JSONObject()
        annotations[scheduledTimestampAnnotation] = .string(rfc3339(scheduled, in: zone))
        var meta: JSON = ["name": .string(name(cj["metadata"]["name"].stringValue ?? "", scheduled: scheduled)),
                          "annotations": .object(annotations),
                          "ownerReferences": [ControllerRefs.controllerRef(to: cj, .cronJobs)]]
        if let labels = template["metadata"]["labels"].objectValue, !labels.isEmpty { meta["labels"] = .object(labels) }
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
                "spec": template["spec"].isNull ? .object(JSONObject()) : template["spec"]]
    }

    /// Go's `time.RFC3339` of `t` in `zone`: `2026-11-30T10:00:00-05:00`, or `...Z` in UTC.
    static func rfc3339(_ t: Double, in zone: TimeZone) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: t))
        func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : String(v) }
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: t))
        let suffix = offset == 0 ? "Z" : (offset < 0 ? "-" : "+") + two(abs(offset) / 3600) + ":" + two(abs(offset) % 3600 / 60)
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))" + suffix
    }

    /// `getRef`: what `status.active` holds for a Job.
    static func reference(_ job: JSON) -> JSON {
        let m = job["metadata"]
        return ["kind": "Job", "namespace": m["namespace"], "name": m["name"], "uid": m["uid"],
                "apiVersion": "batch/v1", "resourceVersion": m["resourceVersion"]]
    }

    /// Complete or Failed (the condition type), if the Job finished.
    static func finishedCondition(_ job: JSON) -> String? {
        if JobRules.condition(job, "Complete") != nil { return "Complete" }
        if JobRules.condition(job, "Failed") != nil { return "Failed" }
        return nil
    }

    /// Kubernetes' `byJobStartTime`: by status.startTime (none last), then by name.
    static func startOrder(_ a: JSON, _ b: JSON) -> Bool {
        let sa = a["status"]["startTime"].stringValue.flatMap(Timestamp.parse), sb = b["status"]["startTime"].stringValue.flatMap(Timestamp.parse)
        switch (sa, sb) {
        case let (x?, y?) where x != y: return x < y
        case (nil, _?): return false
        case (_?, nil): return true
        default: return (a["metadata"]["name"].stringValue ?? "") < (b["metadata"]["name"].stringValue ?? "")
        }
    }
}
