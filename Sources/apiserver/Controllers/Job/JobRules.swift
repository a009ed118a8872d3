import Wire

/// What the Job controller decides from a Job and its pods, as Kubernetes' job controller
/// does (pure functions: no I/O, no clock of their own).
enum JobRules {
    static let trackingFinalizer = "batch.kubernetes.io/job-tracking"
    static let indexKey = "batch.kubernetes.io/job-completion-index"
    static let indexEnv = "JOB_COMPLETION_INDEX"
    /// backoffLimitPerIndex: an index's counted and ignored failures so far, on each of its pods.
    static let indexFailureCountKey = "batch.kubernetes.io/job-index-failure-count"
    static let indexIgnoredFailureCountKey = "batch.kubernetes.io/job-index-ignored-failure-count"
    /// Kubernetes' DefaultJobPodFailureBackOff, doubling to the documented six minutes.
    static let backoffBase = 10.0
    static let backoffMax = 360.0

    static func isIndexed(_ job: JSON) -> Bool { job["spec"]["completionMode"].stringValue == "Indexed" }
    static func completions(_ job: JSON) -> Int? { job["spec"]["completions"].intValue }
    static func isSuspended(_ job: JSON) -> Bool { job["spec"]["suspend"].boolValue == true }
    /// `backoffLimitPerIndex` of an Indexed Job.
    static func backoffLimitPerIndex(_ job: JSON) -> Int? { isIndexed(job) ? job["spec"]["backoffLimitPerIndex"].intValue : nil }

    /// An index failure count annotation (0 when absent or not a non-negative int32, as Kubernetes).
    static func failureCount(_ pod: JSON, _ key: String) -> Int {
        guard let v = pod["metadata"]["annotations"][key].stringValue.flatMap({ Int($0) }), v >= 0, v <= Int(Int32.max) else { return 0 }
        return v
    }

    static func condition(_ job: JSON, _ type: String) -> JSON? {
        (job["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == type && $0["status"].stringValue == "True" }
    }

    /// Complete or Failed: nothing more is done for it but releasing its pods.
    static func isFinished(_ job: JSON) -> Bool { condition(job, "Complete") != nil || condition(job, "Failed") != nil }

    /// When the Job finished (its Complete or Failed condition's lastTransitionTime).
    static func finishTime(_ job: JSON) -> Double? {
        (condition(job, "Complete") ?? condition(job, "Failed")).flatMap { $0["lastTransitionTime"].stringValue }.flatMap(Timestamp.parse)
    }

    /// The pause before a failed pod is replaced: none before any failure, then 10 s
    /// doubling per failure since the last success, at most 6 min.
    static func backoff(failures: Int) -> Double {
        guard failures > 0 else { return 0 }
        var d = backoffBase
        for _ in 1..<min(failures, 16) { d *= 2 }
        return min(d, backoffMax)
    }

    static func hasFinalizer(_ pod: JSON) -> Bool {
        (pod["metadata"]["finalizers"].arrayValue ?? []).contains { $0.stringValue == trackingFinalizer }
    }

    /// The completion index from the pod's label (the hub's pod cache drops annotations).
    static func index(_ pod: JSON) -> Int? {
        pod["metadata"]["labels"][indexKey].stringValue.flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
    }

    /// Kubernetes' `isPodFailed`: Failed, or being deleted before it succeeded (unless the
    /// Job replaces only Failed pods or has a podFailurePolicy, which waits for the phase).
    static func isFailed(_ pod: JSON, _ job: JSON) -> Bool {
        if PodState.phase(pod) == "Failed" { return true }
        if job["spec"]["podReplacementPolicy"].stringValue == "Failed" || JobPodFailurePolicy.rules(job) != nil { return false }
        return PodState.isTerminating(pod) && PodState.phase(pod) != "Succeeded"
    }

    static func isSucceeded(_ pod: JSON) -> Bool { PodState.phase(pod) == "Succeeded" }

    /// Being deleted, not yet Succeeded or Failed (status.terminating).
    static func isTerminatingUnfinished(_ pod: JSON) -> Bool {
        PodState.isTerminating(pod) && !PodState.isTerminated(pod)
    }

    /// A pod for the Job (Kubernetes' `GetPodFromTemplate` plus the job controller's
    /// additions): the tracking finalizer and, for Indexed Jobs, the index as annotation and
    /// label, the hostname `<job>-<index>` and `JOB_COMPLETION_INDEX` in every container.
    static func pod(for job: JSON, index: Int?, failureCounts: (counted: Int, ignored: Int)? = nil) -> JSON {
        var pod = PodTemplates.pod(from: job["spec"]["template"], owner: job, .jobs)
        let finalizers = (pod["metadata"]["finalizers"].arrayValue ?? []) + [.string(trackingFinalizer)]
        pod[path: ["metadata", "finalizers"]] = .array(finalizers)
        guard let index else { return pod }
        let name = job["metadata"]["name"].stringValue ?? ""
        pod[path: ["metadata", "generateName"]] = .string("\(name)-\(index)-")
        pod[path: ["metadata", "annotations", indexKey]] = .string(String(index))
        pod[path: ["metadata", "labels", indexKey]] = .string(String(index))
        if let counts = failureCounts {
            pod[path: ["metadata", "annotations", indexFailureCountKey]] = .string(String(counts.counted))
            if counts.ignored > 0 { pod[path: ["metadata", "annotations", indexIgnoredFailureCountKey]] = .string(String(counts.ignored)) }
        }
        if (pod["spec"]["hostname"].stringValue ?? "").isEmpty { pod[path: ["spec", "hostname"]] = .string("\(name)-\(index)") }
        let env: JSON = ["name": .string(indexEnv),
                         "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": .string("metadata.labels['\(indexKey)']")]]]
        for list in ["initContainers", "containers"] {
            guard var containers = pod["spec"][list].arrayValue else { continue }
            for i in containers.indices {
                var vars = containers[i]["env"].arrayValue ?? []
                if !vars.contains(where: { $0["name"].stringValue == indexEnv }) { vars.append(env) }
                containers[i]["env"] = .array(vars)
            }
            pod[path: ["spec", list]] = .array(containers)
        }
        return pod
    }

    /// Kubernetes' order for deleting surplus active pods: unscheduled, then Pending, then
    /// not ready, before the others.
    static func deletionOrder(_ a: JSON, _ b: JSON) -> Bool {
        func rank(_ p: JSON) -> Int {
            if (p["spec"]["nodeName"].stringValue ?? "").isEmpty { return 0 }
            if PodState.phase(p) == "Pending" { return 1 }
            return PodState.isReady(p) ? 3 : 2
        }
        return rank(a) < rank(b)
    }
}
