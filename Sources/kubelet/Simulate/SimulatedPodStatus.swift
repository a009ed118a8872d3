/// The statuses a simulated node writes for its pods: what a real kubelet writes for a pod
/// whose containers started at once (Running) or ended (Succeeded/Failed), with no process.
enum SimulatedPodStatus {
    /// Annotation that makes a simulated pod finish: `Succeeded` (exit 0, reason Completed)
    /// or `Failed` (exit 1, reason Error).
    static let phaseAnnotation = "skiff.io/simulate-phase"
    /// Annotation: how long the pod runs before it finishes (a duration, e.g. `5s`; default 0).
    static let afterAnnotation = "skiff.io/simulate-after"

    /// The phase `skiff.io/simulate-phase` asks for, if valid.
    static func requestedEnd(_ pod: JSON) -> String? {
        switch pod["metadata"]["annotations"][phaseAnnotation].stringValue {
        case "Succeeded": return "Succeeded"
        case "Failed": return "Failed"
        default: return nil
        }
    }

    /// Seconds `skiff.io/simulate-after` asks the pod to run (0 when absent or invalid).
    static func runSeconds(_ pod: JSON) -> Double {
        guard let s = pod["metadata"]["annotations"][afterAnnotation].stringValue,
              let d = try? Duration.parse(s, flag: afterAnnotation) else { return 0 }
        return max(0, d)
    }

    static func isTerminal(_ pod: JSON) -> Bool {
        let p = pod["status"]["phase"].stringValue
        return p == "Succeeded" || p == "Failed"
    }

    /// True when the pod already shows the Running status a simulated node writes (so a
    /// restarted simulator does not rewrite it).
    static func looksRunning(_ pod: JSON) -> Bool {
        guard pod["status"]["phase"].stringValue == "Running", let cs = pod["status"]["containerStatuses"].arrayValue, !cs.isEmpty else { return false }
        return cs.allSatisfy { $0["ready"].boolValue == true && $0["containerID"].stringValue?.hasPrefix("simulated://") == true }
    }

    /// Fake addresses: node `i` is `172.16.0.0/12` + i + 1 (its InternalIP and its pods'
    /// hostIP: sim-0 is 172.16.0.1); its pods get IPs in the node's /24 of `10.0.0.0/8`,
    /// `10.<i/256%256>.<i%256>.<1...254>`, in turn (unique for up to 65,536 nodes and 254
    /// pod starts per node).
    static func hostIP(nodeIndex i: Int) -> String {
        let n = i + 1
        return "172.\(16 + ((n >> 16) & 15)).\((n >> 8) & 255).\(n & 255)"
    }

    static func podIP(nodeIndex i: Int, slot: Int) -> String {
        "10.\((i >> 8) & 255).\(i & 255).\(slot % 254 + 1)"
    }

    /// The pod with a Running status: every container running, started and ready since `now`.
    static func running(_ pod: JSON, hostIP: String, podIP: String, now: String) -> JSON {
        var st = pod["status"]
        st["phase"] = "Running"
        st["hostIP"] = .string(hostIP)
        st["hostIPs"] = [["ip": .string(hostIP)]]
        st["podIP"] = .string(podIP)
        st["podIPs"] = [["ip": .string(podIP)]]
        if st["startTime"].stringValue == nil { st["startTime"] = .string(now) }
        if st["qosClass"].stringValue == nil { st["qosClass"] = "BestEffort" }
        st["conditions"] = conditions(pod, ready: true, reason: nil, now: now)
        let uid = pod["metadata"]["uid"].stringValue ?? ""
        st["containerStatuses"] = .array(containers(pod).map { c in
            containerStatus(c, uid: uid, state: ["running": ["startedAt": .string(now)]], ready: true, started: true)
        })
        var out = pod
        out["status"] = st
        return out
    }

    /// The pod ended as `phase`: containers terminated with exit 0 (Completed) or 1 (Error).
    static func finished(_ pod: JSON, phase: String, now: String) -> JSON {
        var st = pod["status"]
        let failed = phase == "Failed"
        st["phase"] = .string(phase)
        if st["startTime"].stringValue == nil { st["startTime"] = .string(now) }
        st["conditions"] = conditions(pod, ready: false, reason: "PodCompleted", now: now)
        let uid = pod["metadata"]["uid"].stringValue ?? ""
        let previous = st["containerStatuses"].arrayValue ?? []
        st["containerStatuses"] = .array(containers(pod).map { c in
            let name = c["name"].stringValue ?? ""
            let old = previous.first { $0["name"].stringValue == name }
            let startedAt = old?["state"]["running"]["startedAt"].stringValue ?? now
            let term: JSON = ["exitCode": failed ? 1 : 0, "reason": failed ? "Error" : "Completed", "startedAt": .string(startedAt),
                              "finishedAt": .string(now), "containerID": .string(containerID(uid: uid, name: name))]
            return containerStatus(c, uid: uid, state: ["terminated": term], ready: false, started: false)
        })
        var out = pod
        out["status"] = st
        return out
    }

    static func containerID(uid: String, name: String) -> String { "simulated://\(uid)/\(name)" }

    private static func containers(_ pod: JSON) -> [JSON] { pod["spec"]["containers"].arrayValue ?? [] }

    private static func containerStatus(_ c: JSON, uid: String, state: JSON, ready: Bool, started: Bool) -> JSON {
        let name = c["name"].stringValue ?? ""
        let image = c["image"].stringValue ?? ""
        return ["name": .string(name), "state": state, "ready": .bool(ready), "started": .bool(started), "restartCount": 0,
                "image": .string(image), "imageID": .string("simulated://\(image)"), "containerID": .string(containerID(uid: uid, name: name))]
    }

    /// The four conditions a kubelet keeps; a condition's lastTransitionTime stays when its
    /// status does not change.
    private static func conditions(_ pod: JSON, ready: Bool, reason: String?, now: String) -> JSON {
        let old = pod["status"]["conditions"].arrayValue ?? []
        func cond(_ type: String, _ status: Bool, reason: String? = nil) -> JSON {
            let s = status ? "True" : "False"
            let prev = old.first { $0["type"].stringValue == type }
            let since = prev?["status"].stringValue == s ? prev?["lastTransitionTime"].stringValue ?? now : now
            var c: JSON = ["type": .string(type), "status": .string(s), "lastTransitionTime": .string(since)]
            if let reason { c["reason"] = .string(reason) }
            return c
        }
        return [cond("PodScheduled", true), cond("Initialized", true), cond("ContainersReady", ready, reason: reason),
                cond("Ready", ready, reason: reason)]
    }
}
