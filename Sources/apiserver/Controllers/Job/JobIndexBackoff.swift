import Wire

/// backoffLimitPerIndex (Kubernetes' `getPodsWithDelayedDeletionPerIndex`,
/// `getNewIndexFailureCounts` and `getRemainingTimePerIndex`): an index's last failed pod
/// keeps its tracking finalizer until the index's replacement exists, the replacement takes
/// its failure counts from it, and waits the index's own back-off from that pod's finish.
/// Pure functions: no I/O, no clock of their own.
extension JobRules {
    /// An index's counted plus ignored failures before this pod (Kubernetes'
    /// `getIndexAbsoluteFailureCount`).
    static func absoluteFailureCount(_ pod: JSON) -> Int {
        failureCount(pod, indexFailureCountKey) + failureCount(pod, indexIgnoredFailureCountKey)
    }

    /// The failure counts a replacement for `replaced` (the index's last failed pod, nil
    /// for a first pod) carries: that pod's counts plus its own failure, to the ignored
    /// count if a podFailurePolicy `Ignore` rule matches it.
    static func replacementFailureCounts(_ job: JSON, replacing replaced: JSON?) -> (counted: Int, ignored: Int) {
        guard let p = replaced else { return (0, 0) }
        let counted = failureCount(p, indexFailureCountKey), ignored = failureCount(p, indexIgnoredFailureCountKey)
        return JobPodFailurePolicy.match(job, p) == .ignore ? (counted, ignored + 1) : (counted + 1, ignored)
    }

    /// Seconds the index whose last failed pod is `lastFailed` still waits before its
    /// replacement is made: the Job back-off's 10 s doubling (at most 6 min) for the
    /// index's failures including this one, from the pod's finish; 0 without a failed pod.
    static func indexBackoffRemaining(lastFailed: JSON?, now: Double) -> Double {
        guard let p = lastFailed else { return 0 }
        let delay = backoff(failures: absoluteFailureCount(p) + 1)
        // A finish time in the future (pod status is client-written) counts as now.
        return max(0, delay - max(0, now - podFinishTime(p)))
    }

    /// When a pod finished (Kubernetes' `getFinishedTime`): the latest `finishedAt` once
    /// every container has one, else the time its Ready condition turned False, else its
    /// deletion time less the grace period, else its creation.
    static func podFinishTime(_ pod: JSON) -> Double {
        if let t = containersFinishTime(pod) { return t }
        let ready = (pod["status"]["conditions"].arrayValue ?? []).first { $0["type"] == "Ready" }
        if let c = ready, c["status"] == "False", let t = c["lastTransitionTime"].stringValue.flatMap(Timestamp.parse) { return t }
        if let t = pod["metadata"]["deletionTimestamp"].stringValue.flatMap(Timestamp.parse) {
            return t - Double(pod["metadata"]["deletionGracePeriodSeconds"].intValue ?? 0)
        }
        return pod["metadata"]["creationTimestamp"].stringValue.flatMap(Timestamp.parse) ?? 0
    }

    private static func containersFinishTime(_ pod: JSON) -> Double? {
        var latest: Double? = nil
        for c in pod["status"]["containerStatuses"].arrayValue ?? [] {
            guard let t = c["state"]["terminated"]["finishedAt"].stringValue.flatMap(Timestamp.parse) else { return nil }
            latest = max(latest ?? t, t)
        }
        return latest
    }
}
