/// `ctl get pods` rows as kubectl 1.32's `printPod` computes them: READY counts ready
/// running containers (restartable init containers, sidecars, included), STATUS is the
/// phase overridden by the pod's reason, then an init container's trouble, then each
/// container's waiting or terminated reason (the first container's wins), then
/// `Terminating`; RESTARTS says how long ago the last restart ended.
enum PodColumns {
    static func row(_ p: JSON, name: String, age: String, wide: Bool, now: Double = Timestamp.nowSeconds()) -> [String] {
        let s = summary(p)
        var restarts = String(s.restarts)
        if s.restarts != 0, let last = s.lastRestart { restarts += " (\(Age.human(now - last)) ago)" }
        var r = [name, "\(s.ready)/\(s.total)", s.status, restarts, age]
        if wide {
            let ip = p["status"]["podIPs"].arrayValue?.first?["ip"].stringValue ?? p["status"]["podIP"].stringValue ?? ""
            r += [nonEmpty(ip), nonEmpty(p["spec"]["nodeName"].stringValue), nonEmpty(p["status"]["nominatedNodeName"].stringValue), readinessGates(p)]
        }
        return r
    }

    struct Summary {
        var ready = 0
        var total = 0
        var restarts = 0
        var lastRestart: Double?
        var status = ""
    }

    static func summary(_ p: JSON) -> Summary {
        let spec = p["spec"], st = p["status"]
        var s = Summary()
        s.total = spec["containers"].arrayValue?.count ?? 0
        let phase = st["phase"].stringValue ?? ""
        var reason = st["reason"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? phase
        for c in st["conditions"].arrayValue ?? [] where c["type"] == "PodScheduled" && c["reason"] == "SchedulingGated" {
            reason = "SchedulingGated"
        }
        let initSpecs = spec["initContainers"].arrayValue ?? []
        let sidecars = Set(initSpecs.filter { $0["restartPolicy"] == "Always" }.compactMap { $0["name"].stringValue })
        s.total += sidecars.count

        var restarts = 0, lastRestart: Double?
        var sidecarRestarts = 0, lastSidecarRestart: Double?
        var initializing = false
        for (i, c) in (st["initContainerStatuses"].arrayValue ?? []).enumerated() {
            let count = c["restartCount"].intValue ?? 0
            let finished = lastTerminationFinish(c)
            restarts += count
            lastRestart = later(lastRestart, finished)
            let isSidecar = sidecars.contains(c["name"].stringValue ?? "")
            if isSidecar {
                sidecarRestarts += count
                lastSidecarRestart = later(lastSidecarRestart, finished)
            }
            let terminated = c["state"]["terminated"], waiting = c["state"]["waiting"]
            if terminated.objectValue != nil && (terminated["exitCode"].intValue ?? 0) == 0 { continue }
            if isSidecar && c["started"].boolValue == true {
                if c["ready"].boolValue == true { s.ready += 1 }
                continue
            }
            if terminated.objectValue != nil {
                reason = "Init:" + exitReason(terminated)
            } else if let w = waiting["reason"].stringValue, !w.isEmpty, w != "PodInitializing" {
                reason = "Init:" + w
            } else {
                reason = "Init:\(i)/\(initSpecs.count)"
            }
            initializing = true
            break
        }
        let initialized = (st["conditions"].arrayValue ?? []).contains { $0["type"] == "Initialized" && $0["status"] == "True" }
        if !initializing || initialized {
            restarts = sidecarRestarts
            lastRestart = lastSidecarRestart
            var hasRunning = false
            for c in (st["containerStatuses"].arrayValue ?? []).reversed() {
                restarts += c["restartCount"].intValue ?? 0
                lastRestart = later(lastRestart, lastTerminationFinish(c))
                let terminated = c["state"]["terminated"]
                if let w = c["state"]["waiting"]["reason"].stringValue, !w.isEmpty {
                    reason = w
                } else if terminated.objectValue != nil {
                    reason = exitReason(terminated)
                } else if c["ready"].boolValue == true && c["state"]["running"].objectValue != nil {
                    hasRunning = true
                    s.ready += 1
                }
            }
            if reason == "Completed" && hasRunning {
                let ready = (st["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
                reason = ready ? "Running" : "NotReady"
            }
        }
        if !p["metadata"]["deletionTimestamp"].isNull {
            if st["reason"] == "NodeLost" { reason = "Unknown" } else if phase != "Succeeded" && phase != "Failed" { reason = "Terminating" }
        }
        s.restarts = restarts
        s.lastRestart = lastRestart
        s.status = reason
        return s
    }

    /// A terminated state's reason, else `Signal:N` or `ExitCode:N`.
    static func exitReason(_ t: JSON) -> String {
        if let r = t["reason"].stringValue, !r.isEmpty { return r }
        if let sig = t["signal"].intValue, sig != 0 { return "Signal:\(sig)" }
        return "ExitCode:\(t["exitCode"].intValue ?? 0)"
    }

    static func lastTerminationFinish(_ c: JSON) -> Double? {
        c["lastState"]["terminated"]["finishedAt"].stringValue.flatMap(Timestamp.parse)
    }

    static func later(_ a: Double?, _ b: Double?) -> Double? {
        guard let b else { return a }
        guard let a else { return b }
        return max(a, b)
    }

    static func readinessGates(_ p: JSON) -> String {
        let gates = p["spec"]["readinessGates"].arrayValue ?? []
        if gates.isEmpty { return "<none>" }
        let conditions = p["status"]["conditions"].arrayValue ?? []
        let met = gates.filter { g in
            conditions.first { $0["type"] == g["conditionType"] }?["status"] == "True"
        }.count
        return "\(met)/\(gates.count)"
    }

    static func nonEmpty(_ s: String?) -> String { (s ?? "").isEmpty ? "<none>" : s! }
}
