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
        case "events": h = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
        case "replicasets": h = ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
        case "deployments": h = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
        case "jobs": h = ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
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
        case "pods": r = podRow(o, name: name, age: age, wide: wide)
        case "nodes": r = nodeRow(o, name: name, age: age, wide: wide)
        case "namespaces": r = [name, o["status"]["phase"].stringValue ?? "", age]
        case "configmaps": r = [name, String((o["data"].objectValue?.count ?? 0) + (o["binaryData"].objectValue?.count ?? 0)), age]
        case "secrets": r = [name, o["type"].stringValue ?? "", String(o["data"].objectValue?.count ?? 0), age]
        case "leases": r = [name, o["spec"]["holderIdentity"].stringValue ?? "", age]
        case "events": r = eventRow(o)
        case "replicasets":
            let s = o["status"]
            r = [name, String(o["spec"]["replicas"].intValue ?? 1), String(s["replicas"].intValue ?? 0), String(s["readyReplicas"].intValue ?? 0), age]
        case "deployments":
            let s = o["status"]
            r = [name, "\(s["readyReplicas"].intValue ?? 0)/\(o["spec"]["replicas"].intValue ?? 1)", String(s["updatedReplicas"].intValue ?? 0),
                 String(s["availableReplicas"].intValue ?? 0), age]
        default: r = [name, age]
        }
        return (namespaceColumn ? [meta["namespace"].stringValue ?? ""] : []) + r
    }

    static func podRow(_ p: JSON, name: String, age: String, wide: Bool) -> [String] {
        let statuses = p["status"]["containerStatuses"].arrayValue ?? []
        let total = p["spec"]["containers"].arrayValue?.count ?? 0
        let ready = statuses.filter { $0["ready"].boolValue == true }.count
        let restarts = statuses.reduce(0) { $0 + ($1["restartCount"].intValue ?? 0) }
        var r = [name, "\(ready)/\(total)", podStatus(p), String(restarts), age]
        if wide {
            r += [p["status"]["podIP"].stringValue ?? "<none>", p["spec"]["nodeName"].stringValue ?? "<none>",
                  p["status"]["nominatedNodeName"].stringValue ?? "<none>", "<none>"]
        }
        return r
    }

    /// The STATUS column: a waiting or terminated container's reason beats the phase;
    /// `Terminating` beats everything.
    static func podStatus(_ p: JSON) -> String {
        if !p["metadata"]["deletionTimestamp"].isNull { return "Terminating" }
        var status = p["status"]["reason"].stringValue ?? p["status"]["phase"].stringValue ?? "Pending"
        for (i, c) in (p["status"]["initContainerStatuses"].arrayValue ?? []).enumerated() {
            if c["state"]["terminated"]["exitCode"].intValue == 0 { continue }
            if let r = c["state"]["terminated"]["reason"].stringValue { return "Init:" + r }
            if let r = c["state"]["waiting"]["reason"].stringValue, r != "PodInitializing" { return "Init:" + r }
            let n = p["spec"]["initContainers"].arrayValue?.count ?? 0
            return "Init:\(i)/\(n)"
        }
        for c in (p["status"]["containerStatuses"].arrayValue ?? []).reversed() {
            if let r = c["state"]["waiting"]["reason"].stringValue, !r.isEmpty { status = r }
            else if let r = c["state"]["terminated"]["reason"].stringValue, !r.isEmpty { status = r }
        }
        return status
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

    static func eventRow(_ e: JSON) -> [String] {
        let last = e["lastTimestamp"].stringValue ?? e["eventTime"].stringValue ?? e["metadata"]["creationTimestamp"].stringValue
        let io = e["involvedObject"]
        let kind = (io["kind"].stringValue ?? "").lowercased()
        return [Age.since(last), e["type"].stringValue ?? "", e["reason"].stringValue ?? "", "\(kind)/\(io["name"].stringValue ?? "")",
                e["message"].stringValue ?? ""]
    }
}
