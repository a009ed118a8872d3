/// Building the Node object and its conditions from observations.
enum NodeObject {
    /// The Node a kubelet registers: name, labels, and full status.
    static func node(_ config: AgentConfig, observer: NodeObserver, server: HostPort, conditions: [NodeCondition]) -> JSON {
        let info = observer.systemInfo()
        var labels: [String: String] = [
            "kubernetes.io/hostname": config.nodeName,
            "kubernetes.io/os": info.operatingSystem ?? "linux",
            "kubernetes.io/arch": info.architecture ?? "amd64",
        ]
        for (k, v) in config.labels { labels[k] = v }
        var status = NodeStatus()
        let cap = observer.capacity()
        status.capacity = cap
        status.allocatable = observer.allocatable(capacity: cap)
        status.addresses = observer.addresses(reaching: server, hostname: config.nodeName)
        status.nodeInfo = info
        status.conditions = conditions
        status.daemonEndpoints = ["kubeletEndpoint": ["Port": 0]]
        let node = Node(metadata: ObjectMeta(name: config.nodeName, labels: labels), spec: NodeSpec(), status: status)
        return (try? JSON(encoding: node)) ?? .null
    }

    /// Ready plus the three pressure conditions (and `CgroupsUnavailable` while the runtime
    /// cannot write cgroups), keeping each condition's last transition time when its status
    /// has not changed since `previous`.
    static func conditions(_ p: ObservedPressure, cgroupProblem: String? = nil, previous: [NodeCondition], now: String) -> [NodeCondition] {
        func make(_ type: String, _ on: Bool, _ reasonOn: String, _ reasonOff: String, _ msgOn: String, _ msgOff: String) -> NodeCondition {
            let status = type == "Ready" ? (on ? "True" : "False") : (on ? "True" : "False")
            let old = previous.first { $0.type == type }
            let transition = old?.status == status ? (old?.lastTransitionTime ?? now) : now
            return NodeCondition(type: type, status: status, lastHeartbeatTime: now, lastTransitionTime: transition,
                                 reason: on ? reasonOn : reasonOff, message: on ? msgOn : msgOff)
        }
        var all = [
            make("MemoryPressure", p.memory, "KubeletHasInsufficientMemory", "KubeletHasSufficientMemory",
                 "kubelet has insufficient memory available (\(p.source))", "kubelet has sufficient memory available"),
            make("DiskPressure", p.disk, "KubeletHasDiskPressure", "KubeletHasNoDiskPressure",
                 "kubelet has disk pressure", "kubelet has no disk pressure"),
            make("PIDPressure", p.pid, "KubeletHasInsufficientPID", "KubeletHasSufficientPID",
                 "kubelet has insufficient PID available", "kubelet has sufficient PID available"),
            make("Ready", true, "KubeletReady", "KubeletNotReady", "kubelet is posting ready status", "kubelet is not ready"),
        ]
        // Not a Kubernetes condition (its kubelet refuses to start without cgroups): named as
        // NetworkUnavailable is, True while pods run without limits; absent when all is well.
        if let cgroupProblem {
            all.append(make("CgroupsUnavailable", true, cgroupsUnavailableReason, "", cgroupProblem, ""))
        }
        return all
    }

    /// The `CgroupsUnavailable` condition's reason.
    static let cgroupsUnavailableReason = "ContainerLimitsNotEnforced"

    /// The Warning event's reason when the runtime cannot write cgroups: the one Kubernetes'
    /// kubelet records when it cannot write the pods' cgroup limits.
    static let cgroupEventReason = "FailedNodeAllocatableEnforcement"

    /// The event reasons Kubernetes' kubelet records when a condition changes status.
    static let transitionReasons: [String: (on: String, off: String)] = [
        "MemoryPressure": ("NodeHasInsufficientMemory", "NodeHasSufficientMemory"),
        "DiskPressure": ("NodeHasDiskPressure", "NodeHasNoDiskPressure"),
        "PIDPressure": ("NodeHasInsufficientPID", "NodeHasSufficientPID"),
        "Ready": ("NodeReady", "NodeNotReady"),
    ]

    /// Event reasons for the conditions whose status is new or changed since `previous`.
    static func transitionEventReasons(_ conditions: [NodeCondition], previous: [String: String]) -> [String] {
        conditions.compactMap { c in
            guard previous[c.type] != c.status, let r = transitionReasons[c.type] else { return nil }
            return c.status == "True" ? r.on : r.off
        }
    }

    /// `type → status` of a Node JSON's conditions, for comparing views.
    static func statuses(_ node: JSON) -> [String: String] {
        var out: [String: String] = [:]
        for c in node["status"]["conditions"].arrayValue ?? [] {
            if let t = c["type"].stringValue { out[t] = c["status"].stringValue ?? "" }
        }
        return out
    }
}
