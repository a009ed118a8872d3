import ArgumentParser

struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe", abstract: "Show details of resources and their events.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "TYPE [NAME...] or TYPE/NAME...") var resources: [String] = []
    @Option(name: [.customShort("l"), .long], help: "Label selector.") var selector: String?

    func run() async throws {
        let sels = try ResourceArgs.parse(resources)
        let session = try await Session.open(global)
        defer { session.close() }
        var first = true
        var failed = false
        for sel in sels {
            let ns = sel.type.namespaced ? (global.allNamespaces ? nil : session.settings.namespace) : nil
            var objects: [JSON] = []
            if sel.names.isEmpty {
                var req = Request(verb: .list, resource: sel.type.plural, namespace: ns)
                req.labelSelector = selector
                objects = try await session.listAll(req).items
            } else {
                for n in sel.names {
                    do { objects.append(try await session.call(Request(verb: .get, resource: sel.type.plural, namespace: ns, name: n))) } catch {
                        Output.error(Output.describe(error))
                        failed = true
                    }
                }
            }
            for o in objects {
                if !first { Output.print("\n\n") }
                first = false
                var text = Describer.describe(sel.type, o)
                if sel.type != .events { text += try await Describer.events(for: o, type: sel.type, session: session) }
                if sel.type == .nodes { text = try await Describer.withLease(text, node: o, session: session) }
                Output.print(text)
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// kubectl-describe-style text: `Key:  value` lines, nested sections indented.
enum Describer {
    static func describe(_ type: ResourceType, _ o: JSON) -> String {
        let meta = o["metadata"]
        var w = DescribeWriter()
        w.field("Name", meta["name"].stringValue ?? "")
        if type.namespaced { w.field("Namespace", meta["namespace"].stringValue ?? "") }
        w.map("Labels", meta["labels"])
        w.map("Annotations", meta["annotations"])
        w.field("CreationTimestamp", meta["creationTimestamp"].stringValue.map { Timestamp.parse($0).map(httpDate) ?? $0 } ?? "<unset>")
        if let d = meta["deletionTimestamp"].stringValue { w.field("DeletionTimestamp", d) }
        switch type.plural {
        case "nodes": describeNode(o, &w)
        case "pods": describePod(o, &w)
        default:
            for (k, v) in (o.objectValue ?? JSONObject()) where !["apiVersion", "kind", "metadata"].contains(k) {
                w.nested(Self.title(k), v, level: 0)
            }
        }
        return w.text
    }

    static func describeNode(_ n: JSON, _ w: inout DescribeWriter) {
        let spec = n["spec"], st = n["status"]
        let taints = (spec["taints"].arrayValue ?? []).map { t in
            (t["key"].stringValue ?? "") + (t["value"].stringValue.map { "=\($0)" } ?? "") + ":" + (t["effect"].stringValue ?? "")
        }
        w.list("Taints", taints)
        w.field("Unschedulable", spec["unschedulable"].boolValue == true ? "true" : "false")
        w.line("Conditions:")
        var t = Table(header: ["Type", "Status", "LastHeartbeatTime", "LastTransitionTime", "Reason", "Message"])
        t.rows.append(["----", "------", "-----------------", "------------------", "------", "-------"])
        for c in st["conditions"].arrayValue ?? [] {
            t.rows.append([c["type"].stringValue ?? "", c["status"].stringValue ?? "", c["lastHeartbeatTime"].stringValue ?? "",
                           c["lastTransitionTime"].stringValue ?? "", c["reason"].stringValue ?? "", c["message"].stringValue ?? ""])
        }
        w.indented(t.render())
        w.line("Addresses:")
        for a in st["addresses"].arrayValue ?? [] { w.line("  \(a["type"].stringValue ?? ""):  \(a["address"].stringValue ?? "")") }
        for (label, key) in [("Capacity", "capacity"), ("Allocatable", "allocatable")] {
            w.line("\(label):")
            for (k, v) in (st[key].objectValue ?? JSONObject()).entries.sorted(by: { $0.key < $1.key }) {
                w.line("  \(k):" + String(repeating: " ", count: max(1, 19 - k.count)) + (v.stringValue ?? v.compactString))
            }
        }
        w.line("System Info:")
        let info = st["nodeInfo"]
        for (label, key) in [("Machine ID", "machineID"), ("Boot ID", "bootID"), ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
                             ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
                             ("Container Runtime Version", "containerRuntimeVersion"), ("Kubelet Version", "kubeletVersion")] {
            w.line("  \(label):" + String(repeating: " ", count: max(1, 27 - label.count)) + (info[key].stringValue ?? ""))
        }
    }

    static func describePod(_ p: JSON, _ w: inout DescribeWriter) {
        let spec = p["spec"], st = p["status"]
        w.field("Priority", String(spec["priority"].intValue ?? 0))
        w.field("Node", (spec["nodeName"].stringValue ?? "<none>") + (st["hostIP"].stringValue.map { "/\($0)" } ?? ""))
        if let s = st["startTime"].stringValue { w.field("Start Time", s) }
        w.field("Status", Columns.podStatus(p))
        w.field("IP", st["podIP"].stringValue ?? "")
        for (label, list, statuses) in [("Init Containers", "initContainers", "initContainerStatuses"), ("Containers", "containers", "containerStatuses")] {
            guard let cs = spec[list].arrayValue, !cs.isEmpty else { continue }
            w.line("\(label):")
            for c in cs {
                let name = c["name"].stringValue ?? ""
                let cst = (st[statuses].arrayValue ?? []).first { $0["name"].stringValue == name } ?? .null
                w.line("  \(name):")
                w.line("    Image:          \(c["image"].stringValue ?? "")")
                if let cmd = c["command"].arrayValue { w.line("    Command:\n" + cmd.map { "      \($0.stringValue ?? "")" }.joined(separator: "\n")) }
                if let args = c["args"].arrayValue { w.line("    Args:\n" + args.map { "      \($0.stringValue ?? "")" }.joined(separator: "\n")) }
                let state = cst["state"]
                if let s = state.objectValue?.keys.first { w.line("    State:          \(title(s))") }
                w.line("    Ready:          \(cst["ready"].boolValue == true ? "True" : "False")")
                w.line("    Restart Count:  \(cst["restartCount"].intValue ?? 0)")
                for (k, label2) in [("limits", "Limits"), ("requests", "Requests")] {
                    if let m = c["resources"][k].objectValue, !m.isEmpty {
                        w.line("    \(label2):")
                        for (r, q) in m.entries.sorted(by: { $0.key < $1.key }) { w.line("      \(r):  \(q.stringValue ?? q.compactString)") }
                    }
                }
                let env = c["env"].arrayValue ?? []
                w.line("    Environment:" + (env.isEmpty ? "  <none>" : ""))
                for e in env {
                    let v = e["value"].stringValue ?? (e["valueFrom"].isNull ? "" : "(\(e["valueFrom"].compactString))")
                    w.line("      \(e["name"].stringValue ?? ""):  \(v)")
                }
            }
        }
        w.line("Conditions:")
        for c in st["conditions"].arrayValue ?? [] { w.line("  \(c["type"].stringValue ?? "")  \(c["status"].stringValue ?? "")") }
        w.field("QoS Class", st["qosClass"].stringValue ?? "")
        w.map("Node-Selectors", spec["nodeSelector"])
        let tolerations = (spec["tolerations"].arrayValue ?? []).map { t in
            (t["key"].stringValue ?? "") + (t["operator"].stringValue == "Exists" ? "" : "=\(t["value"].stringValue ?? "")")
                + (t["effect"].stringValue.map { ":\($0)" } ?? "") + (t["tolerationSeconds"].intValue.map { " for \($0)s" } ?? "")
        }
        w.list("Tolerations", tolerations)
    }

    /// The `Events:` section: the object's events, oldest first.
    static func events(for o: JSON, type: ResourceType, session: Session) async throws -> String {
        let meta = o["metadata"]
        var req = Request(verb: .list, resource: "events", namespace: type.namespaced ? meta["namespace"].stringValue : nil)
        let name = meta["name"].stringValue ?? ""
        var fs = ["involvedObject.name=\(name)", "involvedObject.kind=\(type.kind)"]
        // Node events name the node by uid (controllers) or by name (kubelets), as in
        // Kubernetes; kubectl shows both.
        let uids: Set<String> = type == .nodes ? [meta["uid"].stringValue ?? "", name] : []
        if type != .nodes, let uid = meta["uid"].stringValue { fs.append("involvedObject.uid=\(uid)") }
        req.fieldSelector = fs.joined(separator: ",")
        let found = try await session.listAll(req).items.filter { uids.isEmpty || uids.contains($0["involvedObject"]["uid"].stringValue ?? "") }
        let evs = found.sorted {
            ($0["lastTimestamp"].stringValue ?? "") < ($1["lastTimestamp"].stringValue ?? "")
        }
        if evs.isEmpty { return "Events:              <none>\n" }
        var t = Table(header: ["Type", "Reason", "Age", "From", "Message"])
        t.rows.append(["----", "------", "----", "----", "-------"])
        for e in evs {
            let count = e["count"].intValue ?? 1
            var age = Age.since(e["lastTimestamp"].stringValue ?? e["metadata"]["creationTimestamp"].stringValue)
            if count > 1 { age += " (x\(count) over \(Age.since(e["firstTimestamp"].stringValue)))" }
            t.rows.append([e["type"].stringValue ?? "", e["reason"].stringValue ?? "", age,
                           e["source"]["component"].stringValue ?? e["reportingComponent"].stringValue ?? "", e["message"].stringValue ?? ""])
        }
        return "Events:\n" + t.render().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
    }

    /// Adds the node's Lease (holder, renew time) after the taints, as kubectl does.
    static func withLease(_ text: String, node: JSON, session: Session) async throws -> String {
        let name = node["metadata"]["name"].stringValue ?? ""
        var lease = "Lease:\n"
        let l = try await session.getIfPresent(Request(verb: .get, resource: "leases", namespace: "kube-node-lease", name: name)) ?? .null
        lease += "  HolderIdentity:  \(l["spec"]["holderIdentity"].stringValue ?? "<unset>")\n"
        lease += "  AcquireTime:     \(l["spec"]["acquireTime"].stringValue ?? "<unset>")\n"
        lease += "  RenewTime:       \(l["spec"]["renewTime"].stringValue ?? "<unset>")\n"
        guard let r = text.range(of: "Unschedulable:") else { return text + lease }
        return String(text[..<r.lowerBound]) + lease + String(text[r.lowerBound...])
    }

    static func title(_ k: String) -> String {
        var out = ""
        for (i, c) in k.enumerated() {
            if i == 0 { out += c.uppercased() } else if c.isUppercase { out += " " + String(c) } else { out.append(c) }
        }
        return out
    }

    static func httpDate(_ t: Double) -> String {
        Timestamp.format(t)
    }
}

struct DescribeWriter {
    var text = ""

    mutating func line(_ s: String) { text += s + "\n" }

    mutating func field(_ k: String, _ v: String) {
        line(k + ":" + String(repeating: " ", count: max(2, 20 - k.count)) + v)
    }

    mutating func map(_ k: String, _ v: JSON) {
        let entries = (v.objectValue ?? JSONObject()).entries.sorted { $0.key < $1.key }
        if entries.isEmpty { field(k, "<none>"); return }
        for (i, e) in entries.enumerated() {
            let s = "\(e.key)=\(e.value.stringValue ?? e.value.compactString)"
            if i == 0 { field(k, s) } else { line(String(repeating: " ", count: 21) + s) }
        }
    }

    mutating func list(_ k: String, _ items: [String]) {
        if items.isEmpty { field(k, "<none>"); return }
        for (i, s) in items.enumerated() {
            if i == 0 { field(k, s) } else { line(String(repeating: " ", count: 21) + s) }
        }
    }

    mutating func indented(_ s: String) {
        for l in s.split(separator: "\n") { line("  " + l) }
    }

    mutating func nested(_ k: String, _ v: JSON, level: Int) {
        let pad = String(repeating: "  ", count: level)
        switch v {
        case .object(let o):
            line("\(pad)\(k):")
            for (ck, cv) in o.entries.sorted(by: { $0.key < $1.key }) { nested(Describer.title(ck), cv, level: level + 1) }
        case .array(let a):
            line("\(pad)\(k):")
            for item in a {
                if case .object = item { nested("-", item, level: level + 1) } else { line("\(pad)  \(item.stringValue ?? item.compactString)") }
            }
        case .string(let s): line("\(pad)\(k):  \(s)")
        default: line("\(pad)\(k):  \(v.compactString)")
        }
    }
}
