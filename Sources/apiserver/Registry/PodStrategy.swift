/// Pods: defaults and validation as Kubernetes applies them, status via the subresource.
struct PodStrategy: ResourceStrategy {
    typealias Typed = Pod
    let type = ResourceType.pods
    var hasStatusSubresource: Bool { true }

    func applyDefaults(_ pod: inout JSON) {
        var spec = pod["spec"]
        Self.applySpecDefaults(&spec)
        // Set by Kubernetes' Priority admission on pods, not on templates.
        if spec["priority"].isNull { spec["priority"] = 0 }
        if spec["preemptionPolicy"].isNull { spec["preemptionPolicy"] = "PreemptLowerPriority" }
        pod["spec"] = spec
    }

    /// The defaults Kubernetes gives every pod spec, pods' and workload templates' alike.
    static func applySpecDefaults(_ spec: inout JSON) {
        func setDefault(_ k: String, _ v: JSON) { if spec[k].isNull { spec[k] = v } }
        setDefault("restartPolicy", "Always")
        setDefault("terminationGracePeriodSeconds", 30)
        setDefault("dnsPolicy", "ClusterFirst")
        setDefault("securityContext", .object(JSONObject()))
        setDefault("schedulerName", "default-scheduler")
        setDefault("enableServiceLinks", true)
        for list in ["initContainers", "containers"] {
            guard case .array(var cs) = spec[list] else { continue }
            for i in cs.indices { Self.defaultContainer(&cs[i]) }
            spec[list] = .array(cs)
        }
    }

    static func defaultContainer(_ c: inout JSON) {
        if c["imagePullPolicy"].isNull, let image = c["image"].stringValue {
            c["imagePullPolicy"] = .string(ImageReference.defaultPullPolicy(image))
        }
        if c["terminationMessagePath"].isNull { c["terminationMessagePath"] = "/dev/termination-log" }
        if c["terminationMessagePolicy"].isNull { c["terminationMessagePolicy"] = "File" }
        var res = c["resources"].objectValue ?? JSONObject()
        // Kubernetes defaults requests to limits where only limits are given.
        if case .object(let limits) = res["limits"] ?? .null {
            var requests = res["requests"]?.objectValue ?? JSONObject()
            for (k, v) in limits where requests[k] == nil { requests[k] = v }
            res["requests"] = .object(requests)
        }
        c["resources"] = .object(res)
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] where c[probe].objectValue != nil {
            Self.defaultProbe(&c[probe])
        }
        for hook in ["postStart", "preStop"] where c["lifecycle"][hook]["httpGet"].objectValue != nil {
            Self.defaultHTTPGet(&c[path: ["lifecycle", hook, "httpGet"]])
        }
        if case .array(var ports) = c["ports"] {
            for i in ports.indices where ports[i]["protocol"].isNull { ports[i]["protocol"] = "TCP" }
            c["ports"] = .array(ports)
        }
    }

    /// What Kubernetes' admission adds at create: the ServiceAccount plugin's `default`
    /// account and DefaultTolerationSeconds' tolerations; then the initial status.
    /// Kubernetes' probe defaults: 1 s timeout, every 10 s, 1 success, 3 failures, where
    /// unset or 0 (Go's zero value); an httpGet's path `/` and scheme HTTP.
    static func defaultProbe(_ p: inout JSON) {
        for (k, v) in [("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)]
        where p[k].isNull || p[k].intValue == 0 {
            p[k] = .int(v)
        }
        if p["httpGet"].objectValue != nil { defaultHTTPGet(&p["httpGet"]) }
    }

    static func defaultHTTPGet(_ h: inout JSON) {
        if h["path"].isNull || h["path"].stringValue == "" { h["path"] = "/" }
        if h["scheme"].isNull || h["scheme"].stringValue == "" { h["scheme"] = "HTTP" }
    }

    func prepareForCreate(_ pod: inout JSON) {
        if (pod["spec"]["serviceAccountName"].stringValue ?? "").isEmpty {
            let account = pod["spec"]["serviceAccount"].stringValue ?? ""
            pod[path: ["spec", "serviceAccountName"]] = .string(account.isEmpty ? "default" : account)
        }
        pod[path: ["spec", "serviceAccount"]] = pod["spec"]["serviceAccountName"]
        let tolerations = Self.withDefaultTolerations(pod["spec"]["tolerations"].arrayValue ?? [])
        if !tolerations.isEmpty { pod[path: ["spec", "tolerations"]] = .array(tolerations) }
        pod["status"] = ["phase": "Pending", "qosClass": .string(Self.qosClass(pod["spec"]))]
    }

    /// How long a pod stays on a node that is not ready or unreachable unless it says otherwise.
    static let defaultTolerationSeconds = 300

    /// DefaultTolerationSeconds: `not-ready` and `unreachable` NoExecute tolerations for 300 s
    /// unless the pod already tolerates that key (or every key) with NoExecute (or every effect).
    static func withDefaultTolerations(_ tolerations: [JSON]) -> [JSON] {
        var result = tolerations
        for key in [NodeLifecycleController.notReady, NodeLifecycleController.unreachable] {
            let tolerated = tolerations.contains { t in
                let k = t["key"].stringValue ?? "", e = t["effect"].stringValue ?? ""
                return (k == key || k.isEmpty) && (e == "NoExecute" || e.isEmpty)
            }
            if !tolerated {
                result.append(["key": .string(key), "operator": "Exists", "effect": "NoExecute",
                               "tolerationSeconds": .int(defaultTolerationSeconds)])
            }
        }
        return result
    }

    /// Guaranteed, Burstable or BestEffort, from the containers' requests and limits.
    static func qosClass(_ spec: JSON) -> String {
        let containers = (spec["containers"].arrayValue ?? []) + (spec["initContainers"].arrayValue ?? [])
        var any = false
        var guaranteed = true
        for c in containers {
            let req = c["resources"]["requests"].objectValue ?? JSONObject()
            let lim = c["resources"]["limits"].objectValue ?? JSONObject()
            if !req.isEmpty || !lim.isEmpty { any = true }
            for r in ["cpu", "memory"] {
                guard let l = lim[r], let q = req[r] ?? lim[r], Quantities.value(l) == Quantities.value(q) else {
                    guaranteed = false
                    continue
                }
            }
        }
        if !any { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    func validate(_ pod: JSON) -> [Status.Cause] {
        // Pods are validated on their typed form: the rules reach deep into the spec.
        guard let typed = try? JSONValueDecoder.decode(Pod.self, from: pod).value else { return QuantityValidation.podSpecCauses(pod["spec"]) }
        var causes = PodDeletionCost.causes(pod)
        guard let spec = typed.spec else { return causes + [.required("spec")] }
        if (spec.containers ?? []).isEmpty { causes.append(.required("spec.containers")) }
        var names = Set<String>()
        let volumes = Set((spec.volumes ?? []).map(\.name))
        for (list, cs) in [("initContainers", spec.initContainers ?? []), ("containers", spec.containers ?? [])] {
            for (i, c) in cs.enumerated() {
                let f = "spec.\(list)[\(i)]"
                if let p = LabelSyntax.dns1123LabelProblem(c.name) { causes.append(.invalid("\(f).name", c.name, p)) }
                if !names.insert(c.name).inserted { causes.append(.duplicate("\(f).name", c.name)) }
                if (c.image ?? "").isEmpty { causes.append(.required("\(f).image")) }
                if let p = c.imagePullPolicy, !["Always", "IfNotPresent", "Never"].contains(p) {
                    causes.append(.notSupported("\(f).imagePullPolicy", p, supported: ["Always", "IfNotPresent", "Never"]))
                }
                for (k, port) in (c.ports ?? []).enumerated() where !(1...65535).contains(port.containerPort) {
                    causes.append(.invalid("\(f).ports[\(k)].containerPort", int: Int(port.containerPort), "must be between 1 and 65535, inclusive"))
                }
                for (k, e) in (c.env ?? []).enumerated() where e.name.isEmpty {
                    causes.append(.required("\(f).env[\(k)].name"))
                }
                for (k, m) in (c.volumeMounts ?? []).enumerated() where !volumes.contains(m.name) {
                    causes.append(.init(reason: "FieldValueNotFound", message: "Not found: \"\(m.name)\"", field: "\(f).volumeMounts[\(k)].name"))
                }
                causes += ProbeValidation.causes(c, at: f, initContainer: list == "initContainers", gracePeriod: spec.terminationGracePeriodSeconds)
                // From the JSON: a number's literal, not the double the typed form holds.
                causes += QuantityValidation.containerCauses(pod["spec"][list].arrayValue?[i] ?? .null, at: f)
            }
        }
        causes += QuantityValidation.listCauses(pod["spec"]["overhead"], at: "spec.overhead")
        var volumeNames = Set<String>()
        for (i, v) in (spec.volumes ?? []).enumerated() {
            if let p = LabelSyntax.dns1123LabelProblem(v.name) { causes.append(.invalid("spec.volumes[\(i)].name", v.name, p)) }
            if !volumeNames.insert(v.name).inserted { causes.append(.duplicate("spec.volumes[\(i)].name", v.name)) }
        }
        if let rp = spec.restartPolicy, !["Always", "OnFailure", "Never"].contains(rp) {
            causes.append(.notSupported("spec.restartPolicy", rp, supported: ["Always", "OnFailure", "Never"]))
        }
        if let g = spec.terminationGracePeriodSeconds, g < 0 {
            causes.append(.negative("spec.terminationGracePeriodSeconds", Int(g)))
        }
        for (i, t) in (spec.tolerations ?? []).enumerated() {
            if let op = t.operator, !["Exists", "Equal"].contains(op) {
                causes.append(.notSupported("spec.tolerations[\(i)].operator", op, supported: ["Equal", "Exists"]))
            }
            if let e = t.effect, !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(e) {
                causes.append(.notSupported("spec.tolerations[\(i)].effect", e, supported: ["NoExecute", "NoSchedule", "PreferNoSchedule"]))
            }
        }
        return causes
    }

    /// Kubernetes lets an update change only images, activeDeadlineSeconds, tolerations
    /// (additions) and the grace period. `spec.nodeName` is set by a create or through the
    /// `binding` subresource only, never by an update.
    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause] {
        var a = new["spec"], b = old["spec"]
        // The stored spec defaulted as the new one was: a pod stored before a default
        // existed (a probe's periodSeconds 0) is not refused for gaining it.
        Self.applySpecDefaults(&b)
        for list in ["containers", "initContainers"] {
            if case .array(var cs) = a[list], case .array(let os) = b[list], cs.count == os.count {
                for i in cs.indices { cs[i]["image"] = os[i]["image"] }
                a[list] = .array(cs)
            }
        }
        for k in ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"] {
            a[k] = .null
            b[k] = .null
        }
        if a != b {
            return [.forbidden("spec", "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")]
        }
        return []
    }

    func fieldValue(_ pod: JSON, _ field: String) -> String? {
        switch field {
        case "spec.nodeName": return pod["spec"]["nodeName"].stringValue ?? ""
        case "spec.restartPolicy": return pod["spec"]["restartPolicy"].stringValue ?? ""
        case "spec.schedulerName": return pod["spec"]["schedulerName"].stringValue ?? ""
        case "spec.serviceAccountName": return pod["spec"]["serviceAccountName"].stringValue ?? ""
        case "spec.hostNetwork": return pod["spec"]["hostNetwork"].boolValue == true ? "true" : "false"
        case "status.phase": return pod["status"]["phase"].stringValue ?? ""
        case "status.podIP": return pod["status"]["podIP"].stringValue ?? ""
        case "status.nominatedNodeName": return pod["status"]["nominatedNodeName"].stringValue ?? ""
        default: return commonFieldValue(pod, field)
        }
    }
}

/// Image reference helpers shared by defaulting and the kubelet.
enum ImageReference {
    /// `Always` for `:latest` or no tag, else `IfNotPresent`, as Kubernetes defaults it.
    static func defaultPullPolicy(_ image: String) -> String {
        if image.contains("@") { return "IfNotPresent" }
        let lastPart = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastPart.lastIndex(of: ":") else { return "Always" }
        return lastPart[lastPart.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }
}
