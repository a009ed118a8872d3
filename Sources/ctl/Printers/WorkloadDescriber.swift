/// `ctl describe` for workload kinds in kubectl 1.32's layout (its describeReplicaSet,
/// describeDaemonSet and DescribePodTemplate).
enum WorkloadDescriber {
    /// kubectl's getPodStatusForController: the pods the workload controls, by phase.
    struct PodCounts: Equatable {
        var running = 0, waiting = 0, succeeded = 0, failed = 0

        init(running: Int = 0, waiting: Int = 0, succeeded: Int = 0, failed: Int = 0) {
            (self.running, self.waiting, self.succeeded, self.failed) = (running, waiting, succeeded, failed)
        }

        init(pods: [JSON], ownerUID: String) {
            for p in pods where (p["metadata"]["ownerReferences"].arrayValue ?? []).contains(where: { $0["controller"] == true && $0["uid"].stringValue == ownerUID }) {
                switch p["status"]["phase"].stringValue ?? "" {
                case "Running": running += 1
                case "Pending": waiting += 1
                case "Succeeded": succeeded += 1
                case "Failed": failed += 1
                default: break
                }
            }
        }

        var text: String { "\(running) Running / \(waiting) Waiting / \(succeeded) Succeeded / \(failed) Failed" }
    }

    /// The workload's pods (by its selector, in its namespace).
    static func pods(of o: JSON, session: Session) async throws -> [JSON] {
        var req = Request(verb: .list, resource: ResourceType.pods.plural, namespace: o["metadata"]["namespace"].stringValue)
        let selector = Columns.formatLabelSelector(o["spec"]["selector"])
        req.labelSelector = selector == "<none>" ? nil : selector
        req.limit = Session.defaultPageSize
        return try await session.listAll(req).items
    }

    static func describeReplicaSet(_ rs: JSON, pods: PodCounts) -> DescribeWriter {
        let meta = rs["metadata"]
        var w = DescribeWriter()
        w.field("Name", meta["name"].stringValue ?? "")
        w.field("Namespace", meta["namespace"].stringValue ?? "")
        w.field("Selector", Columns.formatLabelSelector(rs["spec"]["selector"]))
        w.map("Labels", meta["labels"])
        w.map("Annotations", PodDescriber.annotations(meta["annotations"]), separator: ": ")
        if let owner = controller(of: rs) { w.field("Controlled By", owner) }
        w.field("Replicas", "\(rs["status"]["replicas"].intValue ?? 0) current / \(rs["spec"]["replicas"].intValue ?? 1) desired")
        w.field("Pods Status", pods.text)
        podTemplate(rs["spec"]["template"], &w)
        if let conditions = rs["status"]["conditions"].arrayValue, !conditions.isEmpty {
            w.line("Conditions:")
            w.row(["Type", "Status", "Reason"], level: 1)
            w.row(["----", "------", "------"], level: 1)
            // kubectl writes a space after the type here.
            for c in conditions {
                w.row([(c["type"].stringValue ?? "") + " ", c["status"].stringValue ?? "", c["reason"].stringValue ?? ""], level: 1)
            }
        }
        return w
    }

    /// kubectl's describeDaemonSet. Its five node counts are written without a tab (so
    /// not aligned), as kubectl writes them.
    static func describeDaemonSet(_ ds: JSON, pods: PodCounts) -> DescribeWriter {
        let meta = ds["metadata"], st = ds["status"]
        var w = DescribeWriter()
        w.field("Name", meta["name"].stringValue ?? "")
        w.field("Namespace", meta["namespace"].stringValue ?? "")
        w.field("Selector", JobDescriber.selectorString(ds["spec"]["selector"]))
        w.field("Node-Selector", Columns.formatLabels(ds["spec"]["template"]["spec"]["nodeSelector"]))
        w.map("Labels", meta["labels"])
        w.map("Annotations", PodDescriber.annotations(meta["annotations"]), separator: ": ")
        for (label, key) in [("Desired Number of Nodes Scheduled", "desiredNumberScheduled"), ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
                             ("Number of Nodes Scheduled with Up-to-date Pods", "updatedNumberScheduled"),
                             ("Number of Nodes Scheduled with Available Pods", "numberAvailable"), ("Number of Nodes Misscheduled", "numberMisscheduled")] {
            w.line("\(label): \(st[key].intValue ?? 0)")
        }
        w.field("Pods Status", pods.text)
        podTemplate(ds["spec"]["template"], &w)
        return w
    }

    /// kubectl's printController: `Kind/name` of the controlling owner, nil without one.
    static func controller(of o: JSON) -> String? {
        guard let owner = (o["metadata"]["ownerReferences"].arrayValue ?? []).first(where: { $0["controller"] == true }) else { return nil }
        return "\(owner["kind"].stringValue ?? "")/\(owner["name"].stringValue ?? "")"
    }

    /// kubectl's DescribePodTemplate.
    static func podTemplate(_ t: JSON, _ w: inout DescribeWriter) {
        let space = "  "
        w.line("Pod Template:")
        if t.isNull {
            w.line("  <unset>")
            return
        }
        let spec = t["spec"]
        w.map(space + "Labels", t["metadata"]["labels"])
        if let a = t["metadata"]["annotations"].objectValue, !a.isEmpty { w.map(space + "Annotations", t["metadata"]["annotations"], separator: ": ") }
        if let sa = spec["serviceAccountName"].stringValue, !sa.isEmpty { w.field(space + "Service Account", sa) }
        if let inits = spec["initContainers"].arrayValue, !inits.isEmpty {
            PodDescriber.containers("Init Containers", inits, [], pod: t, space: space, &w)
        }
        PodDescriber.containers("Containers", spec["containers"].arrayValue ?? [], [], pod: t, space: space, &w)
        PodDescriber.volumes(spec["volumes"].arrayValue ?? [], space: space, &w)
        // kubectl 1.32 prints the priority class before the node selectors.
        if let pc = spec["priorityClassName"].stringValue, !pc.isEmpty { w.field(space + "Priority Class Name", pc) }
        w.map(space + "Node-Selectors", spec["nodeSelector"])
        w.list(space + "Tolerations", PodDescriber.tolerations(spec["tolerations"].arrayValue ?? []))
    }
}
