/// `describe node`'s "Non-terminated Pods" and "Allocated resources" sections, as kubectl's
/// describeNodeResource computes them: each pod's requests and limits (containers summed,
/// the largest init container if larger, plus overhead) against the node's allocatable.
enum NodeAllocation {
    static func write(pods: [JSON], node: JSON, now: Double = Timestamp.nowSeconds(), _ w: inout DescribeWriter) {
        let st = node["status"]
        let allocatable = (st["allocatable"].objectValue?.isEmpty == false ? st["allocatable"] : st["capacity"]).objectValue ?? JSONObject()
        let cpuMilli = allocatable["cpu"].flatMap(Quantities.value).map { Int64(saturating: ($0 * 1000).rounded()) } ?? 0
        let memory = allocatable["memory"].flatMap(Quantities.value).map { Int64(saturating: $0.rounded()) } ?? 0
        func percent(_ part: Sum, milli: Bool, of whole: Int64) -> Int64 {
            guard whole != 0 else { return 0 }
            return Int64(Double(milli ? part.milli : part.milli / 1000) / Double(whole) * 100)
        }
        w.field("Non-terminated Pods", "(\(pods.count) in total)")
        w.row(["Namespace", "Name", "", "CPU Requests", "CPU Limits", "Memory Requests", "Memory Limits", "Age"], level: 1)
        w.row(["---------", "----", "", "------------", "----------", "---------------", "-------------", "---"], level: 1)
        var totalRequests: [String: Sum] = [:], totalLimits: [String: Sum] = [:]
        for p in pods {
            let (req, lim) = requestsAndLimits(p)
            for (k, v) in req { totalRequests[k, default: Sum()].add(v) }
            for (k, v) in lim { totalLimits[k, default: Sum()].add(v) }
            let cr = req["cpu"] ?? Sum(), cl = lim["cpu"] ?? Sum(), mr = req["memory"] ?? Sum(), ml = lim["memory"] ?? Sum()
            w.row([p["metadata"]["namespace"].stringValue ?? "", p["metadata"]["name"].stringValue ?? "", "",
                   "\(cr.text) (\(percent(cr, milli: true, of: cpuMilli))%)", "\(cl.text) (\(percent(cl, milli: true, of: cpuMilli))%)",
                   "\(mr.text) (\(percent(mr, milli: false, of: memory))%)", "\(ml.text) (\(percent(ml, milli: false, of: memory))%)",
                   Age.since(p["metadata"]["creationTimestamp"].stringValue, now: now)], level: 1)
        }
        w.line("Allocated resources:")
        w.line("  (Total limits may be over 100 percent, i.e., overcommitted.)")
        w.row(["Resource", "Requests", "Limits"], level: 1)
        w.row(["--------", "--------", "------"], level: 1)
        let storage = allocatable["ephemeral-storage"].flatMap(Quantities.value).map { Int64(saturating: $0.rounded()) } ?? 0
        for (name, whole, milli) in [("cpu", cpuMilli, true), ("memory", memory, false), ("ephemeral-storage", storage, false)] {
            let r = totalRequests[name] ?? Sum(), l = totalLimits[name] ?? Sum()
            w.row([name, "\(r.text) (\(percent(r, milli: milli, of: whole))%)", "\(l.text) (\(percent(l, milli: milli, of: whole))%)"], level: 1)
        }
        for name in allocatable.keys.sorted() where name.hasPrefix("hugepages-") {
            let whole = allocatable[name].flatMap(Quantities.value).map { Int64(saturating: $0.rounded()) } ?? 0
            let r = totalRequests[name] ?? Sum(), l = totalLimits[name] ?? Sum()
            w.row([name, "\(r.text) (\(percent(r, milli: false, of: whole))%)", "\(l.text) (\(percent(l, milli: false, of: whole))%)"], level: 1)
        }
        let standard: Set<String> = ["cpu", "memory", "ephemeral-storage", "pods", "storage"]
        for name in allocatable.keys.sorted() where !standard.contains(name) && !name.hasPrefix("hugepages-") && !name.hasPrefix("requests.") {
            w.row([name, (totalRequests[name] ?? Sum()).text, (totalLimits[name] ?? Sum()).text], level: 1)
        }
    }

    /// Kubernetes' PodRequestsAndLimits: containers summed, each resource raised to the
    /// largest init container's, plus `spec.overhead`.
    static func requestsAndLimits(_ p: JSON) -> ([String: Sum], [String: Sum]) {
        func collect(_ kind: String) -> [String: Sum] {
            var total: [String: Sum] = [:]
            for c in p["spec"]["containers"].arrayValue ?? [] {
                for (k, v) in c["resources"][kind].objectValue?.entries ?? [] { total[k, default: Sum()].add(v) }
            }
            for c in p["spec"]["initContainers"].arrayValue ?? [] {
                for (k, v) in c["resources"][kind].objectValue?.entries ?? [] {
                    var one = Sum()
                    one.add(v)
                    if one.milli > total[k, default: Sum()].milli { total[k] = one }
                }
            }
            for (k, v) in p["spec"]["overhead"].objectValue?.entries ?? [] where total[k] != nil { total[k]!.add(v) }
            return total
        }
        return (collect("requests"), collect("limits"))
    }

    /// A sum of quantities in thousandths, printed as Kubernetes' `Quantity.String()`
    /// does: in the format (binary or decimal) of the first non-zero addend, canonical.
    struct Sum {
        var milli: Int64 = 0
        var binary = false

        mutating func add(_ q: JSON) {
            let text = q.stringValue ?? q.compactString
            guard let v = Quantities.value(text) else { return }
            if milli == 0 { binary = text.hasSuffix("i") }
            milli = milli.saturatingAdd(Int64(saturating: (v * 1000).rounded()))
        }

        mutating func add(_ s: Sum) {
            guard s.milli != 0 else { return }
            if milli == 0 { binary = s.binary }
            milli = milli.saturatingAdd(s.milli)
        }

        var text: String {
            if milli == 0 { return "0" }
            if binary && milli % 1000 == 0 && milli.magnitude >= 1024_000 {
                var v = milli / 1000, i = 0
                let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
                while v % 1024 == 0 && i < suffixes.count - 1 { v /= 1024; i += 1 }
                return "\(v)\(suffixes[i])"
            }
            // Decimal: the largest power of 1000 that leaves a whole number.
            var v = milli, i = 0
            let suffixes = ["m", "", "k", "M", "G", "T", "P", "E"]
            while v % 1000 == 0 && i < suffixes.count - 1 { v /= 1000; i += 1 }
            return "\(v)\(suffixes[i])"
        }
    }
}
