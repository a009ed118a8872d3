/// `ctl describe pod` in kubectl 1.32's layout (its describePod and describeContainers).
enum PodDescriber {
    static func describe(_ p: JSON, now: Double = Timestamp.nowSeconds()) -> DescribeWriter {
        let meta = p["metadata"], spec = p["spec"], st = p["status"]
        var w = DescribeWriter()
        w.field("Name", meta["name"].stringValue ?? "")
        w.field("Namespace", meta["namespace"].stringValue ?? "")
        if let priority = spec["priority"].intValue { w.field("Priority", String(priority)) }
        if let pc = spec["priorityClassName"].stringValue, !pc.isEmpty { w.field("Priority Class Name", pc) }
        if let rc = spec["runtimeClassName"].stringValue, !rc.isEmpty { w.field("Runtime Class Name", rc) }
        if let sa = spec["serviceAccountName"].stringValue, !sa.isEmpty { w.field("Service Account", sa) }
        let node = spec["nodeName"].stringValue ?? ""
        w.field("Node", node.isEmpty ? "<none>" : node + "/" + (st["hostIP"].stringValue ?? ""))
        if st["startTime"].stringValue != nil { w.field("Start Time", Describer.date(st["startTime"])) }
        w.map("Labels", meta["labels"])
        w.map("Annotations", annotations(meta["annotations"]), separator: ": ")
        let phase = st["phase"].stringValue ?? ""
        if let deletion = meta["deletionTimestamp"].stringValue.flatMap(Timestamp.parse), phase != "Failed" && phase != "Succeeded" {
            w.field("Status", "Terminating (lasts \(Age.human(deletion - now)))")
            w.field("Termination Grace Period", "\(meta["deletionGracePeriodSeconds"].intValue ?? 0)s")
        } else {
            w.field("Status", phase)
        }
        if let r = st["reason"].stringValue, !r.isEmpty { w.field("Reason", r) }
        if let m = st["message"].stringValue, !m.isEmpty { w.field("Message", m) }
        w.field("IP", st["podIP"].stringValue ?? "")
        let ips = st["podIPs"].arrayValue ?? []
        if ips.isEmpty { w.field("IPs", "<none>") } else {
            w.line("IPs:")
            for ip in ips { w.field("IP", ip["ip"].stringValue ?? "", level: 1) }
        }
        if let owner = (meta["ownerReferences"].arrayValue ?? []).first(where: { $0["controller"] == true }) {
            w.field("Controlled By", "\(owner["kind"].stringValue ?? "")/\(owner["name"].stringValue ?? "")")
        }
        if let n = st["nominatedNodeName"].stringValue, !n.isEmpty { w.field("NominatedNodeName", n) }
        if let inits = spec["initContainers"].arrayValue, !inits.isEmpty {
            containers("Init Containers", inits, st["initContainerStatuses"].arrayValue ?? [], pod: p, &w)
        }
        containers("Containers", spec["containers"].arrayValue ?? [], st["containerStatuses"].arrayValue ?? [], pod: p, &w)
        if let gates = spec["readinessGates"].arrayValue, !gates.isEmpty {
            w.line("Readiness Gates:")
            w.row(["Type", "Status"], level: 1)
            for g in gates {
                let status = (st["conditions"].arrayValue ?? []).first { $0["type"] == g["conditionType"] }?["status"].stringValue ?? "<none>"
                w.row([(g["conditionType"].stringValue ?? "") + " ", status + " "], level: 1)
            }
        }
        if let conditions = st["conditions"].arrayValue, !conditions.isEmpty {
            w.line("Conditions:")
            w.row(["Type", "Status"], level: 1)
            // kubectl writes a space after each cell here.
            for c in conditions { w.row([(c["type"].stringValue ?? "") + " ", (c["status"].stringValue ?? "") + " "], level: 1) }
        }
        volumes(spec["volumes"].arrayValue ?? [], &w)
        w.field("QoS Class", st["qosClass"].stringValue ?? "")
        w.map("Node-Selectors", spec["nodeSelector"])
        w.list("Tolerations", tolerations(spec["tolerations"].arrayValue ?? []))
        return w
    }

    /// kubectl leaves out the last applied configuration.
    static func annotations(_ a: JSON) -> JSON {
        guard var o = a.objectValue else { return a }
        o["kubectl.kubernetes.io/last-applied-configuration"] = nil
        return .object(o)
    }

    /// `space`: kubectl's prefix for a pod template's containers (`"  "`): the title moves
    /// right by it, each name by one space, the fields stay.
    static func containers(_ title: String, _ cs: [JSON], _ statuses: [JSON], pod: JSON, space: String = "", _ w: inout DescribeWriter) {
        w.line("\(space)\(title):")
        for c in cs {
            let name = c["name"].stringValue ?? ""
            let status = statuses.first { $0["name"].stringValue == name }
            w.line("  \(space.isEmpty ? "" : " ")\(name):")
            if let status { w.field("Container ID", status["containerID"].stringValue ?? "", level: 2) }
            w.field("Image", c["image"].stringValue ?? "", level: 2)
            if let status { w.field("Image ID", status["imageID"].stringValue ?? "", level: 2) }
            let ports = c["ports"].arrayValue ?? []
            let portList = ports.map { "\($0["containerPort"].intValue ?? 0)/\($0["protocol"].stringValue ?? "TCP")" }.joined(separator: ", ")
            let hostList = ports.map { "\($0["hostPort"].intValue ?? 0)/\($0["protocol"].stringValue ?? "TCP")" }.joined(separator: ", ")
            w.field(portList.contains(",") ? "Ports" : "Port", portList.isEmpty ? "<none>" : portList, level: 2)
            w.field(hostList.contains(",") ? "Host Ports" : "Host Port", hostList.isEmpty ? "<none>" : hostList, level: 2)
            for (key, label) in [("command", "Command"), ("args", "Args")] {
                guard let items = c[key].arrayValue, !items.isEmpty else { continue }
                w.line("    \(label):")
                for item in items {
                    for part in (item.stringValue ?? item.compactString).split(separator: "\n", omittingEmptySubsequences: false) { w.line("      \(part)") }
                }
            }
            if let status {
                state("State", status["state"], &w)
                if status["lastState"]["terminated"].objectValue != nil { state("Last State", status["lastState"], &w) }
                w.field("Ready", status["ready"].boolValue == true ? "True" : "False", level: 2)
                w.field("Restart Count", String(status["restartCount"].intValue ?? 0), level: 2)
            }
            for (k, label) in [("limits", "Limits"), ("requests", "Requests")] {
                guard let m = c["resources"][k].objectValue, !m.isEmpty else { continue }
                w.line("    \(label):")
                for (r, q) in m.entries.sorted(by: { $0.key < $1.key }) { w.field(r, q.stringValue ?? q.compactString, level: 3) }
            }
            for (key, label) in [("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"), ("startupProbe", "Startup")] where c[key].objectValue != nil {
                w.field(label, probe(c[key]), level: 2)
            }
            environment(c, pod: pod, &w)
            let mounts = (c["volumeMounts"].arrayValue ?? []).sorted { ($0["mountPath"].stringValue ?? "") < ($1["mountPath"].stringValue ?? "") }
            if mounts.isEmpty { w.field("Mounts", "<none>", level: 2) } else { w.line("    Mounts:") }
            for m in mounts {
                var flags = [m["readOnly"] == true ? "ro" : "rw"]
                if let sub = m["subPath"].stringValue, !sub.isEmpty { flags.append("path=\"\(sub)\"") }
                w.line("      \(m["mountPath"].stringValue ?? "") from \(m["name"].stringValue ?? "") (\(flags.joined(separator: ",")))")
            }
        }
    }

    static func state(_ label: String, _ s: JSON, _ w: inout DescribeWriter) {
        if s["running"].objectValue != nil {
            w.field(label, "Running", level: 2)
            w.field("Started", Describer.date(s["running"]["startedAt"]), level: 3)
        } else if s["terminated"].objectValue != nil {
            let t = s["terminated"]
            w.field(label, "Terminated", level: 2)
            if let r = t["reason"].stringValue, !r.isEmpty { w.field("Reason", r, level: 3) }
            if let m = t["message"].stringValue, !m.isEmpty { w.field("Message", m, level: 3) }
            w.field("Exit Code", String(t["exitCode"].intValue ?? 0), level: 3)
            if let sig = t["signal"].intValue, sig > 0 { w.field("Signal", String(sig), level: 3) }
            w.field("Started", Describer.date(t["startedAt"]), level: 3)
            w.field("Finished", Describer.date(t["finishedAt"]), level: 3)
        } else {
            w.field(label, "Waiting", level: 2)
            if let r = s["waiting"]["reason"].stringValue, !r.isEmpty { w.field("Reason", r, level: 3) }
        }
    }

    /// kubectl's DescribeProbe.
    static func probe(_ p: JSON) -> String {
        let attrs = "delay=\(p["initialDelaySeconds"].intValue ?? 0)s timeout=\(p["timeoutSeconds"].intValue ?? 0)s period=\(p["periodSeconds"].intValue ?? 0)s #success=\(p["successThreshold"].intValue ?? 0) #failure=\(p["failureThreshold"].intValue ?? 0)"
        if let cmd = p["exec"]["command"].arrayValue {
            return "exec [\(cmd.map { $0.stringValue ?? "" }.joined(separator: " "))] \(attrs)"
        }
        if p["httpGet"].objectValue != nil {
            let h = p["httpGet"]
            let port = h["port"].stringValue ?? h["port"].intValue.map(String.init) ?? ""
            let host = h["host"].stringValue ?? ""
            let scheme = (h["scheme"].stringValue ?? "").lowercased()
            return "http-get \(scheme.isEmpty ? "" : scheme + "://")\(port.isEmpty ? host : "\(host):\(port)")\(h["path"].stringValue ?? "") \(attrs)"
        }
        if p["tcpSocket"].objectValue != nil {
            let t = p["tcpSocket"]
            return "tcp-socket \(t["host"].stringValue ?? ""):\(t["port"].stringValue ?? t["port"].intValue.map(String.init) ?? "") \(attrs)"
        }
        return "unknown \(attrs)"
    }

    static func environment(_ c: JSON, pod: JSON, _ w: inout DescribeWriter) {
        let env = c["env"].arrayValue ?? []
        if env.isEmpty { w.field("Environment", "<none>", level: 2) } else { w.line("    Environment:") }
        for e in env {
            let name = e["name"].stringValue ?? ""
            let from = e["valueFrom"]
            if from.isNull {
                for (i, part) in (e["value"].stringValue ?? "").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    if i == 0 { w.field(name, String(part), level: 3) } else { w.line("      \t" + part) }
                }
            } else if from["fieldRef"].objectValue != nil {
                let path = from["fieldRef"]["fieldPath"].stringValue ?? ""
                w.field(name, "\(fieldValue(pod, path)) (\(from["fieldRef"]["apiVersion"].stringValue ?? "v1"):\(path))", level: 3)
            } else if from["resourceFieldRef"].objectValue != nil {
                let resource = from["resourceFieldRef"]["resource"].stringValue ?? ""
                let parts = resource.split(separator: ".").map(String.init)
                var value = parts.count == 2 ? (c["resources"][parts[0]][parts[1]].stringValue ?? "0") : ""
                if value == "0" && (resource == "limits.cpu" || resource == "limits.memory") { value = "node allocatable" }
                w.field(name, "\(value) (\(resource))", level: 3)
            } else if from["secretKeyRef"].objectValue != nil {
                let r = from["secretKeyRef"]
                w.row(["      \(name):", "<set to the key '\(r["key"].stringValue ?? "")' in secret '\(r["name"].stringValue ?? "")'>",
                       "Optional: \(r["optional"] == true)"], level: 0)
            } else if from["configMapKeyRef"].objectValue != nil {
                let r = from["configMapKeyRef"]
                w.row(["      \(name):", "<set to the key '\(r["key"].stringValue ?? "")' of config map '\(r["name"].stringValue ?? "")'>",
                       "Optional: \(r["optional"] == true)"], level: 0)
            }
        }
    }

    /// What kubectl's EnvValueRetriever resolves a fieldRef to.
    static func fieldValue(_ p: JSON, _ path: String) -> String {
        let meta = p["metadata"]
        switch path {
        case "metadata.name": return meta["name"].stringValue ?? ""
        case "metadata.namespace": return meta["namespace"].stringValue ?? ""
        case "metadata.uid": return meta["uid"].stringValue ?? ""
        case "spec.nodeName": return p["spec"]["nodeName"].stringValue ?? ""
        case "spec.serviceAccountName": return p["spec"]["serviceAccountName"].stringValue ?? ""
        case "status.podIP": return p["status"]["podIP"].stringValue ?? ""
        case "status.hostIP": return p["status"]["hostIP"].stringValue ?? ""
        default:
            for (prefix, key) in [("metadata.labels['", "labels"), ("metadata.annotations['", "annotations")] where path.hasPrefix(prefix) && path.hasSuffix("']") {
                return meta[key][String(path.dropFirst(prefix.count).dropLast(2))].stringValue ?? ""
            }
            return ""
        }
    }

    static func volumes(_ vs: [JSON], space: String = "", _ w: inout DescribeWriter) {
        if vs.isEmpty { w.field(space + "Volumes", "<none>"); return }
        w.line("\(space)Volumes:")
        for v in vs {
            w.line("  \(space.isEmpty ? "" : " ")\(v["name"].stringValue ?? ""):")
            if v["hostPath"].objectValue != nil {
                w.field("Type", "HostPath (bare host directory volume)", level: 2)
                w.field("Path", v["hostPath"]["path"].stringValue ?? "", level: 2)
                w.field("HostPathType", v["hostPath"]["type"].stringValue ?? "", level: 2)
            } else if v["emptyDir"].objectValue != nil {
                w.field("Type", "EmptyDir (a temporary directory that shares a pod's lifetime)", level: 2)
                w.field("Medium", v["emptyDir"]["medium"].stringValue ?? "", level: 2)
                let limit = v["emptyDir"]["sizeLimit"].stringValue ?? ""
                w.field("SizeLimit", (Quantities.value(limit) ?? 0) > 0 ? limit : "<unset>", level: 2)
            } else if v["secret"].objectValue != nil {
                w.field("Type", "Secret (a volume populated by a Secret)", level: 2)
                w.field("SecretName", v["secret"]["secretName"].stringValue ?? "", level: 2)
                w.field("Optional", v["secret"]["optional"] == true ? "true" : "false", level: 2)
            } else if v["configMap"].objectValue != nil {
                w.field("Type", "ConfigMap (a volume populated by a ConfigMap)", level: 2)
                w.field("Name", v["configMap"]["name"].stringValue ?? "", level: 2)
                w.field("Optional", v["configMap"]["optional"] == true ? "true" : "false", level: 2)
            } else if v["downwardAPI"].objectValue != nil {
                w.field("Type", "DownwardAPI (a volume populated by information about the pod)", level: 2)
                w.line("    Items:")
                for item in v["downwardAPI"]["items"].arrayValue ?? [] {
                    let from = item["fieldRef"]["fieldPath"].stringValue ?? item["resourceFieldRef"]["resource"].stringValue ?? ""
                    w.line("      \(from) -> \(item["path"].stringValue ?? "")")
                }
            } else {
                w.field("Type", "<unknown>", level: 2)
            }
        }
    }

    /// kubectl's printTolerationsMultiline, sorted by key.
    static func tolerations(_ ts: [JSON]) -> [String] {
        ts.sorted { ($0["key"].stringValue ?? "") < ($1["key"].stringValue ?? "") }.map { t in
            let key = t["key"].stringValue ?? "", value = t["value"].stringValue ?? "", effect = t["effect"].stringValue ?? ""
            var s = key
            if !value.isEmpty { s += "=" + value }
            if !effect.isEmpty { s += ":" + effect }
            if t["operator"] == "Exists" && value.isEmpty { s += key.isEmpty && effect.isEmpty ? "op=Exists" : " op=Exists" }
            if let secs = t["tolerationSeconds"].intValue { s += " for \(secs)s" }
            return s
        }
    }
}
