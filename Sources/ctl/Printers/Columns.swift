import Foundation

/// The columns `ctl get` prints for each kind, as kubectl 1.32 prints them.
enum Columns {
    static func header(_ type: ResourceType, wide: Bool, namespaceColumn: Bool) -> [String] {
        var h: [String]
        switch type.plural {
        case "pods": h = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"] + (wide ? ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"] : [])
        case "nodes": h = ["NAME", "STATUS", "ROLES", "AGE", "VERSION"] + (wide ? ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"] : [])
        case "namespaces": h = ["NAME", "STATUS", "AGE"]
        case "configmaps": h = ["NAME", "DATA", "AGE"]
        case "secrets": h = ["NAME", "TYPE", "DATA", "AGE"]
        case "leases": h = ["NAME", "HOLDER", "AGE"]
        case "controllerrevisions": h = ["NAME", "CONTROLLER", "REVISION", "AGE"]
        case "events":
            h = wide ? ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME"]
                : ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
        case "replicasets": h = ["NAME", "DESIRED", "CURRENT", "READY", "AGE"] + (wide ? ["CONTAINERS", "IMAGES", "SELECTOR"] : [])
        case "deployments": h = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"] + (wide ? ["CONTAINERS", "IMAGES", "SELECTOR"] : [])
        case "jobs": h = ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"] + (wide ? JobColumns.wideHeader : [])
        case "cronjobs": h = CronJobColumns.header + (wide ? CronJobColumns.wideHeader : [])
        case "daemonsets":
            h = ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"] + (wide ? ["CONTAINERS", "IMAGES", "SELECTOR"] : [])
        default: h = ["NAME", "AGE"]
        }
        return (namespaceColumn ? ["NAMESPACE"] : []) + h
    }

    static func row(_ type: ResourceType, _ o: JSON, wide: Bool, namespaceColumn: Bool) -> [String] {
        let meta = o["metadata"]
        let name = meta["name"].stringValue ?? ""
        let age = Age.since(meta["creationTimestamp"].stringValue)
        var r: [String]
        switch type.plural {
        case "pods": r = PodColumns.row(o, name: name, age: age, wide: wide)
        case "nodes": r = nodeRow(o, name: name, age: age, wide: wide)
        case "namespaces": r = [name, o["status"]["phase"].stringValue ?? "", age]
        case "configmaps": r = [name, String((o["data"].objectValue?.count ?? 0) + (o["binaryData"].objectValue?.count ?? 0)), age]
        case "secrets": r = [name, o["type"].stringValue ?? "", String(o["data"].objectValue?.count ?? 0), age]
        case "leases": r = [name, o["spec"]["holderIdentity"].stringValue ?? "", age]
        case "controllerrevisions": r = [name, controllerName(o), String(o["revision"].intValue ?? 0), age]
        case "events": r = eventRow(o, wide: wide)
        case "replicasets":
            let s = o["status"]
            r = [name, String(o["spec"]["replicas"].intValue ?? 1), String(s["replicas"].intValue ?? 0), String(s["readyReplicas"].intValue ?? 0), age]
            if wide { r += workloadWide(o) }
        case "deployments":
            let s = o["status"]
            r = [name, "\(s["readyReplicas"].intValue ?? 0)/\(o["spec"]["replicas"].intValue ?? 1)", String(s["updatedReplicas"].intValue ?? 0),
                 String(s["availableReplicas"].intValue ?? 0), age]
            if wide { r += workloadWide(o) }
        case "daemonsets": r = daemonSetRow(o, name: name, age: age, wide: wide)
        case "jobs": r = JobColumns.row(o, name: name, age: age, wide: wide)
        case "cronjobs": r = CronJobColumns.row(o, name: name, age: age, wide: wide)
        default: r = [name, age]
        }
        return (namespaceColumn ? [meta["namespace"].stringValue ?? ""] : []) + r
    }

    /// kubectl's CONTROLLER of a ControllerRevision: `daemonset.apps/web` (the controller
    /// reference's kind and group, lower-cased), `<none>` without one.
    static func controllerName(_ o: JSON) -> String {
        guard let ref = (o["metadata"]["ownerReferences"].arrayValue ?? []).first(where: { $0["controller"].boolValue == true }) else { return "<none>" }
        let apiVersion = ref["apiVersion"].stringValue ?? "", kind = ref["kind"].stringValue ?? ""
        let group = apiVersion.contains("/") ? String(apiVersion.prefix { $0 != "/" }) : ""
        return (group.isEmpty ? kind : "\(kind).\(group)").lowercased() + "/" + (ref["name"].stringValue ?? "")
    }

    /// kubectl's CONTAINERS, IMAGES and SELECTOR of a workload's `-o wide`: names and images
    /// joined by commas, the selector as kubectl formats one (`<none>` when empty).
    static func workloadWide(_ o: JSON) -> [String] {
        let containers = o["spec"]["template"]["spec"]["containers"].arrayValue ?? []
        return [containers.map { $0["name"].stringValue ?? "" }.joined(separator: ","),
                containers.map { $0["image"].stringValue ?? "" }.joined(separator: ","),
                formatLabelSelector(o["spec"]["selector"])]
    }

    static func nodeRow(_ n: JSON, name: String, age: String, wide: Bool) -> [String] {
        let conds = n["status"]["conditions"].arrayValue ?? []
        // As kubectl: NotReady for any Ready status but True (Unknown included); Unknown
        // only when there is no Ready condition at all.
        var status = "Unknown"
        if let ready = conds.first(where: { $0["type"].stringValue == "Ready" }) {
            status = ready["status"].stringValue == "True" ? "Ready" : "NotReady"
        }
        if n["spec"]["unschedulable"].boolValue == true { status += ",SchedulingDisabled" }
        let roles = nodeRoles(n)
        let info = n["status"]["nodeInfo"]
        var r = [name, status, roles.isEmpty ? "<none>" : roles.joined(separator: ","), age, info["kubeletVersion"].stringValue ?? ""]
        if wide {
            let addrs = n["status"]["addresses"].arrayValue ?? []
            func addr(_ t: String) -> String { addrs.first { $0["type"].stringValue == t }?["address"].stringValue ?? "<none>" }
            r += [addr("InternalIP"), addr("ExternalIP"), info["osImage"].stringValue ?? "<unknown>", info["kernelVersion"].stringValue ?? "<unknown>",
                  info["containerRuntimeVersion"].stringValue ?? "<unknown>"]
        }
        return r
    }

    /// Roles from `node-role.kubernetes.io/ROLE` labels, sorted.
    static func nodeRoles(_ n: JSON) -> [String] {
        (n["metadata"]["labels"].objectValue?.keys ?? [])
            .compactMap { k -> String? in k.hasPrefix("node-role.kubernetes.io/") ? String(k.dropFirst("node-role.kubernetes.io/".count)) : nil }
            .sorted()
    }

    /// kubectl's printEvent: LAST SEEN falls back to the first time, a series' last
    /// observation wins; the repeat count is in `-o wide`'s COUNT.
    static func eventRow(_ e: JSON, wide: Bool, now: Double = Timestamp.nowSeconds()) -> [String] {
        func since(_ v: JSON) -> String? { v.stringValue.flatMap(Timestamp.parse).map { Age.human(now - $0) } }
        let first = since(e["firstTimestamp"]) ?? since(e["eventTime"]) ?? "<unknown>"
        var last = since(e["lastTimestamp"]) ?? first
        var count = e["count"].intValue ?? 0
        if e["series"].objectValue != nil {
            last = since(e["series"]["lastObservedTime"]) ?? "<unknown>"
            count = e["series"]["count"].intValue ?? 0
        } else if count == 0 {
            count = 1
        }
        let io = e["involvedObject"]
        let kind = (io["kind"].stringValue ?? "").lowercased()
        let name = io["name"].stringValue ?? ""
        let object = name.isEmpty ? kind : "\(kind)/\(name)"
        let message = (e["message"].stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard wide else { return [last, e["type"].stringValue ?? "", e["reason"].stringValue ?? "", object, message] }
        let component = e["source"]["component"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? e["reportingComponent"].stringValue ?? ""
        let instance = e["source"]["host"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? e["reportingInstance"].stringValue ?? ""
        return [last, e["type"].stringValue ?? "", e["reason"].stringValue ?? "", object, io["fieldPath"].stringValue ?? "",
                instance.isEmpty ? component : "\(component), \(instance)", message, first, String(count), e["metadata"]["name"].stringValue ?? ""]
    }
}
