/// `ctl describe deployment` and the pod template alone (`rollout history --revision`) in
/// kubectl 1.32's layout (its DeploymentDescriber; the template by WorkloadDescriber.podTemplate,
/// kubectl's DescribePodTemplate, as for every workload).
enum DeploymentDescriber {
    static func describe(_ d: JSON, replicaSets: [JSON]) -> DescribeWriter {
        let meta = d["metadata"], spec = d["spec"], st = d["status"]
        var w = DescribeWriter()
        w.field("Name", meta["name"].stringValue ?? "")
        w.field("Namespace", meta["namespace"].stringValue ?? "")
        w.field("CreationTimestamp", Describer.date(meta["creationTimestamp"]))
        w.map("Labels", meta["labels"])
        w.map("Annotations", PodDescriber.annotations(meta["annotations"]), separator: ": ")
        w.field("Selector", Columns.formatLabelSelector(spec["selector"]))
        let n = { (k: String) in String(st[k].intValue ?? 0) }
        w.field("Replicas", "\(spec["replicas"].intValue ?? 1) desired | \(n("updatedReplicas")) updated | \(n("replicas")) total | \(n("availableReplicas")) available | \(n("unavailableReplicas")) unavailable")
        w.field("StrategyType", spec["strategy"]["type"].stringValue ?? "")
        w.field("MinReadySeconds", String(spec["minReadySeconds"].intValue ?? 0))
        let ru = spec["strategy"]["rollingUpdate"]
        if spec["strategy"]["type"] == "RollingUpdate", ru.objectValue != nil {
            w.field("RollingUpdateStrategy", "\(intOrString(ru["maxUnavailable"])) max unavailable, \(intOrString(ru["maxSurge"])) max surge")
        }
        WorkloadDescriber.podTemplate(spec["template"], &w)
        if let conditions = st["conditions"].arrayValue, !conditions.isEmpty {
            w.line("Conditions:")
            w.row(["Type", "Status", "Reason"], level: 1)
            w.row(["----", "------", "------"], level: 1)
            for c in conditions { w.row([(c["type"].stringValue ?? "") + " ", c["status"].stringValue ?? "", c["reason"].stringValue ?? ""], level: 1) }
        }
        let (new, old) = split(d, replicaSets)
        let active = old.filter { ($0["spec"]["replicas"].intValue ?? 1) != 0 }
        w.field("OldReplicaSets", active.isEmpty ? "<none>" : active.map(created).joined(separator: ", "))
        w.field("NewReplicaSet", new.map(created) ?? "<none>")
        return w
    }

    /// `name (status/spec replicas created)`.
    static func created(_ rs: JSON) -> String {
        "\(rs["metadata"]["name"].stringValue ?? "") (\(rs["status"]["replicas"].intValue ?? 0)/\(rs["spec"]["replicas"].intValue ?? 1) replicas created)"
    }

    /// The oldest ReplicaSet with the Deployment's template (but for the hash label) is the new one.
    static func split(_ d: JSON, _ rss: [JSON]) -> (JSON?, [JSON]) {
        let sorted = rss.sorted { ($0["metadata"]["creationTimestamp"].stringValue ?? "", $0["metadata"]["name"].stringValue ?? "")
            < ($1["metadata"]["creationTimestamp"].stringValue ?? "", $1["metadata"]["name"].stringValue ?? "") }
        guard let new = sorted.first(where: { Rollout.sameIgnoringHash($0["spec"]["template"], d["spec"]["template"]) }) else { return (nil, sorted) }
        return (new, sorted.filter { $0["metadata"]["uid"] != new["metadata"]["uid"] })
    }

    static func intOrString(_ v: JSON) -> String { v.stringValue ?? v.intValue.map(String.init) ?? "" }
}

/// The pod template alone (`rollout history --revision N`).
enum TemplateDescriber {
    static func describe(_ t: JSON) -> String {
        var w = DescribeWriter()
        WorkloadDescriber.podTemplate(t, &w)
        return w.text
    }
}
