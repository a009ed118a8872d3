import Foundation

/// kubectl-describe-style text: `Key:  value` lines, nested sections indented two spaces
/// per level, aligned by `TabWriter` as kubectl's describers align them.
enum Describer {
    /// `lease`: a node's Lease (`.null` when it has none); nil for other kinds.
    /// `nodePods`: a node's non-terminated pods, for its allocation sections.
    /// `controlledPods`: a workload's pods by phase.
    static func describe(_ type: ResourceType, _ o: JSON, lease: JSON? = nil, nodePods: [JSON]? = nil,
                         controlledPods: WorkloadDescriber.PodCounts? = nil, now: Double = Timestamp.nowSeconds()) -> DescribeWriter {
        if type == .pods { return PodDescriber.describe(o, now: now) }
        if type == .replicaSets { return WorkloadDescriber.describeReplicaSet(o, pods: controlledPods ?? .init()) }
        if type == .daemonSets { return WorkloadDescriber.describeDaemonSet(o, pods: controlledPods ?? .init()) }
        if type == .jobs { return JobDescriber.describeJob(o) }
        if type == .cronJobs { return JobDescriber.describeCronJob(o) }
        let meta = o["metadata"]
        var w = DescribeWriter()
        w.field("Name", meta["name"].stringValue ?? "")
        if type == .nodes {
            let roles = Columns.nodeRoles(o)
            w.field("Roles", roles.isEmpty ? "<none>" : roles.joined(separator: ","))
        }
        if type.namespaced { w.field("Namespace", meta["namespace"].stringValue ?? "") }
        w.map("Labels", meta["labels"])
        w.map("Annotations", meta["annotations"], separator: ": ")
        // kubectl's describers for these kinds print no creation time.
        if ![ResourceType.configMaps, .secrets, .namespaces].contains(type) {
            w.field("CreationTimestamp", date(meta["creationTimestamp"]))
        }
        if meta["deletionTimestamp"].stringValue != nil { w.field("DeletionTimestamp", date(meta["deletionTimestamp"])) }
        switch type.plural {
        case "nodes":
            describeNode(o, lease: lease ?? .null, &w)
            if let nodePods { NodeAllocation.write(pods: nodePods, node: o, now: now, &w) }
        case "configmaps": describeConfigMap(o, &w)
        case "secrets": describeSecret(o, &w)
        case "namespaces":
            w.field("Status", o["status"]["phase"].stringValue ?? "Active")
            w.line("")
            w.line("No resource quota.")
            w.line("")
            w.line("No LimitRange resource.")
        default:
            for (k, v) in (o.objectValue ?? JSONObject()) where !["apiVersion", "kind", "metadata"].contains(k) {
                w.nested(Self.title(k), v, level: 0)
            }
        }
        return w
    }

    static func describeNode(_ n: JSON, lease: JSON, _ w: inout DescribeWriter) {
        let spec = n["spec"], st = n["status"]
        let taints = (spec["taints"].arrayValue ?? []).map { t in
            (t["key"].stringValue ?? "") + (t["value"].stringValue.map { "=\($0)" } ?? "") + ":" + (t["effect"].stringValue ?? "")
        }
        w.list("Taints", taints)
        w.field("Unschedulable", spec["unschedulable"].boolValue == true ? "true" : "false")
        w.line("Lease:")
        w.field("HolderIdentity", lease["spec"]["holderIdentity"].stringValue ?? "<unset>", level: 1)
        w.field("AcquireTime", date(lease["spec"]["acquireTime"]), level: 1)
        w.field("RenewTime", date(lease["spec"]["renewTime"]), level: 1)
        w.line("Conditions:")
        w.row(["Type", "Status", "LastHeartbeatTime", "LastTransitionTime", "Reason", "Message"], level: 1)
        w.row(["----", "------", "-----------------", "------------------", "------", "-------"], level: 1)
        for c in st["conditions"].arrayValue ?? [] {
            w.row([c["type"].stringValue ?? "", c["status"].stringValue ?? "", date(c["lastHeartbeatTime"]),
                   date(c["lastTransitionTime"]), c["reason"].stringValue ?? "", c["message"].stringValue ?? ""], level: 1)
        }
        w.line("Addresses:")
        for a in st["addresses"].arrayValue ?? [] { w.field(a["type"].stringValue ?? "", a["address"].stringValue ?? "", level: 1) }
        for (label, key) in [("Capacity", "capacity"), ("Allocatable", "allocatable")] {
            w.line("\(label):")
            for (k, v) in (st[key].objectValue ?? JSONObject()).entries.sorted(by: { $0.key < $1.key }) {
                w.field(k, v.stringValue ?? v.compactString, level: 1)
            }
        }
        w.line("System Info:")
        let info = st["nodeInfo"]
        for (label, key) in [("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
                             ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"), ("Operating System", "operatingSystem"),
                             ("Architecture", "architecture"), ("Container Runtime Version", "containerRuntimeVersion"),
                             ("Kubelet Version", "kubeletVersion"), ("Kube-Proxy Version", "kubeProxyVersion")] {
            w.field(label, info[key].stringValue ?? "", level: 1)
        }
        if let cidr = spec["podCIDR"].stringValue, !cidr.isEmpty { w.field("PodCIDR", cidr) }
        if let cidrs = spec["podCIDRs"].arrayValue, !cidrs.isEmpty { w.field("PodCIDRs", cidrs.compactMap(\.stringValue).joined(separator: ",")) }
        if let provider = spec["providerID"].stringValue, !provider.isEmpty { w.field("ProviderID", provider) }
    }

    /// The pods kubectl counts on a node: bound to it and not finished, in every namespace.
    static func nonTerminatedPods(on node: JSON, session: Session) async throws -> [JSON] {
        var req = Request(verb: .list, resource: "pods")
        req.fieldSelector = "spec.nodeName=\(node["metadata"]["name"].stringValue ?? ""),status.phase!=Succeeded,status.phase!=Failed"
        req.limit = Session.defaultPageSize
        return try await session.listAll(req).items
    }

    /// Values in full under their keys, binary data by size, as kubectl.
    static func describeConfigMap(_ cm: JSON, _ w: inout DescribeWriter) {
        w.line("")
        w.line("Data")
        w.line("====")
        for (k, v) in (cm["data"].objectValue ?? JSONObject()).entries.sorted(by: { $0.key < $1.key }) {
            w.line("\(k):")
            w.line("----")
            w.line(v.stringValue ?? v.compactString)
            w.line("")
        }
        w.line("")
        w.line("BinaryData")
        w.line("====")
        for (k, v) in (cm["binaryData"].objectValue ?? JSONObject()).entries.sorted(by: { $0.key < $1.key }) {
            w.line("\(k): \(base64Length(v.stringValue ?? "")) bytes")
        }
        w.line("")
    }

    /// Sizes only, never the values, as kubectl.
    static func describeSecret(_ secret: JSON, _ w: inout DescribeWriter) {
        w.line("")
        w.field("Type", secret["type"].stringValue ?? "Opaque")
        w.line("")
        w.line("Data")
        w.line("====")
        for (k, v) in (secret["data"].objectValue ?? JSONObject()).entries.sorted(by: { $0.key < $1.key }) {
            w.field(k, "\(base64Length(v.stringValue ?? "")) bytes")
        }
    }

    /// The decoded length of base64 text.
    static func base64Length(_ s: String) -> Int {
        let chars = s.utf8.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        let padding = chars.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        return max(0, chars.count / 4 * 3 - padding)
    }

    /// Whether kubectl's describer for this kind ends with the object's events.
    static func showsEvents(_ type: ResourceType) -> Bool { ![ResourceType.events, .secrets, .namespaces].contains(type) }

    /// The object's events, oldest first. Node events name the node by uid (controllers)
    /// or by name (kubelets), as in Kubernetes; kubectl shows both.
    static func events(for o: JSON, type: ResourceType, session: Session) async throws -> [JSON] {
        let meta = o["metadata"]
        var req = Request(verb: .list, resource: "events", namespace: type.namespaced ? meta["namespace"].stringValue : nil)
        let name = meta["name"].stringValue ?? ""
        var fs = ["involvedObject.name=\(name)", "involvedObject.kind=\(type.kind)"]
        let uids: Set<String> = type == .nodes ? [meta["uid"].stringValue ?? "", name] : []
        if type != .nodes, let uid = meta["uid"].stringValue { fs.append("involvedObject.uid=\(uid)") }
        req.fieldSelector = fs.joined(separator: ",")
        req.limit = Session.defaultPageSize
        let found = try await session.listAll(req).items.filter { uids.isEmpty || uids.contains($0["involvedObject"]["uid"].stringValue ?? "") }
        return found.sorted { ($0["lastTimestamp"].stringValue ?? "") < ($1["lastTimestamp"].stringValue ?? "") }
    }

    /// The `Events:` section.
    static func events(_ evs: [JSON], _ w: inout DescribeWriter, now: Double = Timestamp.nowSeconds()) {
        if evs.isEmpty { w.field("Events", "<none>"); return }
        w.line("Events:")
        w.row(["Type", "Reason", "Age", "From", "Message"], level: 1)
        w.row(["----", "------", "----", "----", "-------"], level: 1)
        func since(_ v: JSON) -> String? { v.stringValue.flatMap(Timestamp.parse).map { Age.human(now - $0) } }
        for e in evs {
            // kubectl's DescribeEvents: the first time, or "LAST (xN over FIRST)" for repeats.
            let first = since(e["eventTime"]) ?? since(e["firstTimestamp"]) ?? "<unknown>"
            let count = e["count"].intValue ?? 0
            var age = first
            if e["series"].objectValue != nil {
                age = "\(since(e["series"]["lastObservedTime"]) ?? "<unknown>") (x\(e["series"]["count"].intValue ?? 0) over \(first))"
            } else if count > 1 {
                age = "\(since(e["lastTimestamp"]) ?? "<unknown>") (x\(count) over \(first))"
            }
            let component = e["source"]["component"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? e["reportingComponent"].stringValue ?? ""
            w.row([e["type"].stringValue ?? "", e["reason"].stringValue ?? "", age, component,
                   (e["message"].stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)], level: 1)
        }
    }

    /// The node's Lease in `kube-node-lease`, `.null` when it has none.
    static func lease(of node: JSON, session: Session) async throws -> JSON {
        let name = node["metadata"]["name"].stringValue ?? ""
        return try await session.getIfPresent(Request(verb: .get, resource: "leases", namespace: "kube-node-lease", name: name)) ?? .null
    }

    static func title(_ k: String) -> String {
        var out = ""
        for (i, c) in k.enumerated() {
            if i == 0 { out += c.uppercased() } else if c.isUppercase { out += " " + String(c) } else { out.append(c) }
        }
        return out
    }

    /// A timestamp as kubectl describe prints it (RFC 1123 with a numeric zone, in UTC:
    /// `Sat, 28 Nov 2026 09:24:22 +0000`); `<unset>` when absent.
    static func date(_ v: JSON) -> String {
        guard let s = v.stringValue else { return "<unset>" }
        guard let t = Timestamp.parse(s) else { return s }
        return Timestamp.rfc1123(t)
    }
}

/// Collects describe lines with tab-separated cells; `text` aligns them.
struct DescribeWriter {
    private(set) var lines: [String] = []

    var text: String { TabWriter.render(lines, padding: 2) }

    /// A line as is (a section title, or free text).
    mutating func line(_ s: String) { lines.append(s) }

    /// `Key:  value`, indented two spaces per level.
    mutating func field(_ k: String, _ v: String, level: Int = 0) {
        lines.append(indent(level) + k + ":\t" + v)
    }

    /// Table cells, indented two spaces per level.
    mutating func row(_ cells: [String], level: Int) {
        lines.append(indent(level) + cells.joined(separator: "\t"))
    }

    /// Labels print `key=value`; annotations `key: value`, as kubectl.
    mutating func map(_ k: String, _ v: JSON, separator: String = "=") {
        let entries = (v.objectValue ?? JSONObject()).entries.sorted { $0.key < $1.key }
        list(k, entries.map { "\($0.key)\(separator)\($0.value.stringValue ?? $0.value.compactString)" })
    }

    /// The first item beside the key, the others under it.
    mutating func list(_ k: String, _ items: [String]) {
        if items.isEmpty { field(k, "<none>"); return }
        for (i, s) in items.enumerated() {
            if i == 0 { field(k, s) } else { lines.append("\t" + s) }
        }
    }

    mutating func nested(_ k: String, _ v: JSON, level: Int) {
        let pad = indent(level)
        switch v {
        case .object(let o):
            line("\(pad)\(k):")
            for (ck, cv) in o.entries.sorted(by: { $0.key < $1.key }) { nested(Describer.title(ck), cv, level: level + 1) }
        case .array(let a):
            line("\(pad)\(k):")
            for item in a {
                if case .object = item { nested("-", item, level: level + 1) } else { line("\(pad)  \(item.stringValue ?? item.compactString)") }
            }
        case .string(let s): field(k, s, level: level)
        default: field(k, v.compactString, level: level)
        }
    }

    private func indent(_ level: Int) -> String { String(repeating: "  ", count: level) }
}
