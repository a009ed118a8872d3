/// `ctl describe job|cronjob` in kubectl 1.32's layout (its describeJob, describeCronJob,
/// describeJobTemplate and printActiveJobs); the caller adds the events.
enum JobDescriber {
    static func describeJob(_ job: JSON) -> DescribeWriter {
        let meta = job["metadata"], spec = job["spec"], st = job["status"]
        var w = DescribeWriter()
        w.field("Name", meta["name"].stringValue ?? "")
        w.field("Namespace", meta["namespace"].stringValue ?? "")
        w.field("Selector", selectorString(spec["selector"]))
        w.map("Labels", meta["labels"])
        w.map("Annotations", PodDescriber.annotations(meta["annotations"]), separator: ": ")
        if let owner = WorkloadDescriber.controller(of: job) { w.field("Controlled By", owner) }
        if let n = spec["parallelism"].intValue { w.field("Parallelism", String(n)) }
        w.field("Completions", spec["completions"].intValue.map(String.init) ?? "<unset>")
        if let mode = spec["completionMode"].stringValue { w.field("Completion Mode", mode) }
        if let suspend = spec["suspend"].boolValue { w.field("Suspend", String(suspend)) }
        if let n = spec["backoffLimit"].intValue { w.field("Backoff Limit", String(n)) }
        if let n = spec["ttlSecondsAfterFinished"].intValue { w.field("TTL Seconds After Finished", String(n)) }
        let start = st["startTime"], done = st["completionTime"]
        if !start.isNull { w.field("Start Time", Describer.date(start)) }
        if !done.isNull { w.field("Completed At", Describer.date(done)) }
        if let s = start.stringValue.flatMap(Timestamp.parse), let e = done.stringValue.flatMap(Timestamp.parse) {
            w.field("Duration", Age.human(e - s))
        }
        if let n = spec["activeDeadlineSeconds"].intValue { w.field("Active Deadline Seconds", "\(n)s") }
        let count = { (k: String) in st[k].intValue ?? 0 }
        // status.ready is set by job controllers since JobReadyPods; kubectl shows it when present.
        let active = st["ready"].intValue.map { "\(count("active")) Active (\($0) Ready)" } ?? "\(count("active")) Active"
        w.field("Pods Statuses", "\(active) / \(count("succeeded")) Succeeded / \(count("failed")) Failed")
        if spec["completionMode"] == "Indexed" { w.field("Completed Indexes", capIndexes(st["completedIndexes"].stringValue ?? "", softLimit: 50)) }
        WorkloadDescriber.podTemplate(spec["template"], &w)
        return w
    }

    static func describeCronJob(_ cj: JSON) -> DescribeWriter {
        let meta = cj["metadata"], spec = cj["spec"], st = cj["status"]
        var w = DescribeWriter()
        w.field("Name", meta["name"].stringValue ?? "")
        w.field("Namespace", meta["namespace"].stringValue ?? "")
        w.map("Labels", meta["labels"])
        w.map("Annotations", PodDescriber.annotations(meta["annotations"]), separator: ": ")
        w.field("Schedule", spec["schedule"].stringValue ?? "")
        w.field("Concurrency Policy", spec["concurrencyPolicy"].stringValue ?? "")
        // kubectl's printBoolPtr: True / False / <unset>.
        w.field("Suspend", spec["suspend"].boolValue.map { $0 ? "True" : "False" } ?? "<unset>")
        w.field("Successful Job History Limit", spec["successfulJobsHistoryLimit"].intValue.map(String.init) ?? "<unset>")
        w.field("Failed Job History Limit", spec["failedJobsHistoryLimit"].intValue.map(String.init) ?? "<unset>")
        w.field("Starting Deadline Seconds", spec["startingDeadlineSeconds"].intValue.map { "\($0)s" } ?? "<unset>")
        let template = spec["jobTemplate"]["spec"]
        w.field("Selector", template["selector"].isNull ? "<unset>" : selectorString(template["selector"]))
        w.field("Parallelism", template["parallelism"].intValue.map(String.init) ?? "<unset>")
        w.field("Completions", template["completions"].intValue.map(String.init) ?? "<unset>")
        if let n = template["activeDeadlineSeconds"].intValue { w.field("Active Deadline Seconds", "\(n)s") }
        WorkloadDescriber.podTemplate(template["template"], &w)
        w.field("Last Schedule Time", Describer.date(st["lastScheduleTime"]))
        let active = (st["active"].arrayValue ?? []).map { $0["name"].stringValue ?? "" }
        w.field("Active Jobs", active.isEmpty ? "<none>" : active.joined(separator: ", "))
        return w
    }

    /// `metav1.LabelSelectorAsSelector(...).String()`: as the selector column, but empty
    /// (not `<none>`) when it selects everything or nothing (no selector).
    static func selectorString(_ selector: JSON) -> String {
        if selector.isNull { return "" }
        let text = Columns.formatLabelSelector(selector)
        return text == "<none>" ? "" : text
    }

    /// kubectl's capIndexesListOrNone: the list up to the first comma at or after
    /// `softLimit` characters, then `...`; `<none>` when empty.
    static func capIndexes(_ indexes: String, softLimit: Int) -> String {
        if indexes.isEmpty { return "<none>" }
        let chars = Array(indexes)
        var i = softLimit
        while i < chars.count && chars[i] != "," { i += 1 }
        return i >= chars.count ? indexes : String(chars[...i]) + "..."
    }
}
