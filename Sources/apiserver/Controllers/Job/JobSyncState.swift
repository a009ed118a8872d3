import Wire

/// A Job's status as one sync builds it: the counts including pods seen finished but not
/// yet counted, the completed indexes, and the finish the Job is heading for (Kubernetes'
/// interim `FailureTarget` / `SuccessCriteriaMet` conditions) before every pod has stopped.
struct JobSyncState {
    struct Target: Equatable { var type: String; var reason: String; var message: String }

    let job: JSON
    let now: Double
    /// `JobMemory.finalizerRemovals()` as taken before the pods were listed: these pods were
    /// counted by an earlier sync, whatever finalizer the listing still shows.
    let removing: Set<String>
    var status: JSON
    let indexed: Bool
    let completions: Int?
    var uncountedSucceeded: [String]
    var uncountedFailed: [String]
    /// Every uid in the two lists above as this sync found or added them (a Set, so
    /// counting stays linear in the number of pods).
    private var uncountedUIDs: Set<String>
    var completed: JobIndexIntervals
    /// backoffLimitPerIndex: the limit, and the indexes that failed (`status.failedIndexes`).
    let perIndexLimit: Int?
    var failedIndexes: JobIndexIntervals
    var newSucceeded = false
    var newFailed = 0
    var target: Target?
    /// Failed pods a podFailurePolicy `Ignore` rule matched: released, never counted.
    var ignoredUIDs = Set<String>()
    /// backoffLimitPerIndex: each index's last failed pod, kept (not counted, finalizer
    /// held) until the index's replacement exists (`holdLastFailures`).
    var held: [Int: JSON] = [:]
    /// Failed uids this sync added to `uncountedFailed` (a held one is taken out again).
    private var newlyFailed = Set<String>()

    static let backoffExceeded = Target(type: "Failed", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit")
    static let deadlineExceeded = Target(type: "Failed", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline")
    static let maxFailedIndexesExceeded = Target(type: "Failed", reason: "MaxFailedIndexesExceeded",
                                                 message: "Job has exceeded the specified maximal number of failed indexes")
    static let failedIndexesTarget = Target(type: "Failed", reason: "FailedIndexes", message: "Job has failed indexes")
    static let completionsReached = Target(type: "Complete", reason: "CompletionsReached", message: "Reached expected number of succeeded pods")

    init(job: JSON, now: Double, removing: Set<String>) {
        self.job = job
        self.now = now
        self.removing = removing
        status = job["status"].objectValue != nil ? job["status"] : .object(JSONObject())
        indexed = JobRules.isIndexed(job)
        completions = JobRules.completions(job)
        uncountedSucceeded = (status["uncountedTerminatedPods"]["succeeded"].arrayValue ?? []).compactMap(\.stringValue)
        uncountedFailed = (status["uncountedTerminatedPods"]["failed"].arrayValue ?? []).compactMap(\.stringValue)
        uncountedUIDs = Set(uncountedSucceeded + uncountedFailed)
        completed = indexed ? JobIndexList.indexes(status["completedIndexes"].stringValue, limit: completions ?? 0) : JobIndexIntervals()
        perIndexLimit = JobRules.backoffLimitPerIndex(job)
        failedIndexes = perIndexLimit != nil ? JobIndexList.indexes(status["failedIndexes"].stringValue, limit: completions ?? 0) : JobIndexIntervals()
        if let c = JobRules.condition(job, "FailureTarget") {
            target = Target(type: "Failed", reason: c["reason"].stringValue ?? "", message: c["message"].stringValue ?? "")
        } else if let c = JobRules.condition(job, "SuccessCriteriaMet") {
            target = Target(type: "Complete", reason: c["reason"].stringValue ?? "", message: c["message"].stringValue ?? "")
        }
    }

    var succeeded: Int { indexed ? completed.count : (status["succeeded"].intValue ?? 0) + uncountedSucceeded.count }
    var failed: Int { (status["failed"].intValue ?? 0) + uncountedFailed.count }

    private func isUncounted(_ uid: String) -> Bool { uncountedUIDs.contains(uid) }

    /// Pods that finished and still hold the finalizer, not yet in the status: an Indexed
    /// Job's success is its index (enough to never count it twice), others' their uid.
    mutating func countFinished(_ pods: [JSON]) {
        for p in pods where JobRules.hasFinalizer(p) {
            let uid = p["metadata"]["uid"].stringValue ?? ""
            guard !removing.contains(uid), !isUncounted(uid) else { continue }
            if JobRules.isSucceeded(p) {
                if indexed {
                    guard let i = JobRules.index(p), i < (completions ?? 0), !completed.contains(i) else { continue }
                    completed.insert(i)
                } else {
                    uncountedSucceeded.append(uid)
                    uncountedUIDs.insert(uid)
                }
                newSucceeded = true
            } else if JobRules.isFailed(p, job), hasValidIndex(p) {
                // Pods deleted before they finished (suspend, a surplus) count as failed
                // but do not lengthen the back-off: only a pod that ran and failed does
                // (an ignored one too, as Kubernetes' back-off record takes every failed pod).
                if PodState.phase(p) == "Failed" { newFailed += 1 }
                guard !isIgnored(p, uid) else { continue }
                if let limit = perIndexLimit, let i = JobRules.index(p), isIndexFailed(p, limit: limit) { failedIndexes.insert(i) }
                uncountedFailed.append(uid)
                uncountedUIDs.insert(uid)
                newlyFailed.insert(uid)
            }
        }
    }

    /// Once the Job's failure is decided, every pod not finished counts as failed (Kubernetes
    /// does not count them when the Job is to succeed: they are let go uncounted).
    mutating func countUnfinishedAsFailed(_ pods: [JSON]) {
        for p in pods where JobRules.hasFinalizer(p) && !JobRules.isSucceeded(p) {
            let uid = p["metadata"]["uid"].stringValue ?? ""
            guard !removing.contains(uid), !isUncounted(uid), hasValidIndex(p), !isIgnored(p, uid) else { continue }
            uncountedFailed.append(uid)
            uncountedUIDs.insert(uid)
        }
    }

    /// backoffLimitPerIndex, while the Job is not finishing (Kubernetes'
    /// `getPodsWithDelayedDeletionPerIndex`): of every index not completed, not failed and
    /// with no active pod, the failed pod still holding the finalizer with the most failures
    /// (the last finished among equals) is held: it keeps the finalizer, so its counts
    /// survive its deletion until the replacement takes them, and is counted (or, if ignored,
    /// let go) once the replacement exists. Call after countFinished and decideTarget:
    /// the Job's failure count (backoffLimit) takes held pods in, as Kubernetes' does.
    mutating func holdLastFailures(_ pods: [JSON], active: [JSON]) {
        guard perIndexLimit != nil, let completions else { return }
        let activeIndexes = Set(active.compactMap(JobRules.index))
        for p in pods where JobRules.hasFinalizer(p) && JobRules.isFailed(p, job) {
            guard !removing.contains(p["metadata"]["uid"].stringValue ?? ""), let i = JobRules.index(p), i < completions,
                  !completed.contains(i), !failedIndexes.contains(i), !activeIndexes.contains(i) else { continue }
            if let last = held[i], (JobRules.absoluteFailureCount(last), JobRules.podFinishTime(last))
                > (JobRules.absoluteFailureCount(p), JobRules.podFinishTime(p)) { continue }
            held[i] = p
        }
        let heldUIDs = Set(held.values.compactMap { $0["metadata"]["uid"].stringValue })
        // Only what this sync added goes back: a uid already in the stored status stays there.
        let taken = heldUIDs.intersection(newlyFailed)
        uncountedFailed.removeAll { taken.contains($0) }
        uncountedUIDs.subtract(taken)
        ignoredUIDs.subtract(heldUIDs)
    }

    /// True (and remembered) if a podFailurePolicy `Ignore` rule matches the pod.
    private mutating func isIgnored(_ p: JSON, _ uid: String) -> Bool {
        guard JobPodFailurePolicy.match(job, p) == .ignore else { return false }
        ignoredUIDs.insert(uid)
        return true
    }

    /// Kubernetes' `isIndexFailed` for a counted failure: a FailIndex rule matched, or the
    /// index had already failed `backoffLimitPerIndex` times before this pod.
    private func isIndexFailed(_ p: JSON, limit: Int) -> Bool {
        JobPodFailurePolicy.match(job, p) == .failIndex || JobRules.failureCount(p, JobRules.indexFailureCountKey) >= limit
    }

    /// Kubernetes' `getFailJobMessage`: the message of the first failed pod a `FailJob`
    /// rule matches.
    func failJobMessage(_ pods: [JSON]) -> String? {
        guard JobPodFailurePolicy.rules(job) != nil else { return nil }
        for p in pods where JobRules.isFailed(p, job) {
            if case .failJob(let message) = JobPodFailurePolicy.match(job, p) { return message }
        }
        return nil
    }

    private func hasValidIndex(_ p: JSON) -> Bool {
        guard indexed else { return true }
        return JobRules.index(p).map { $0 < (completions ?? 0) } ?? false
    }

    /// Sets `target` (and its interim condition) if the Job has failed or succeeded;
    /// otherwise returns when its active deadline falls, if it has one.
    mutating func decideTarget(pods: [JSON], activeCount: Int) -> Double? {
        let suspended = JobRules.isSuspended(job)
        var deadlineIn: Double? = nil
        if let message = failJobMessage(pods) {
            target = Target(type: "Failed", reason: "PodFailurePolicy", message: message)
        } else if failed > (job["spec"]["backoffLimit"].intValue ?? 6) {
            target = Self.backoffExceeded
        } else if !suspended, let ads = job["spec"]["activeDeadlineSeconds"].intValue,
                  let start = status["startTime"].stringValue.flatMap(Timestamp.parse) {
            let left = start + Double(ads) - now
            if left <= 0 { target = Self.deadlineExceeded } else { deadlineIn = left }
        }
        if target == nil, perIndexLimit != nil {
            if let max = job["spec"]["maxFailedIndexes"].intValue, failedIndexes.count > max {
                target = Self.maxFailedIndexesExceeded
            } else if !failedIndexes.isEmpty && failedIndexes.count + completed.count >= (completions ?? 0) {
                target = Self.failedIndexesTarget
            }
        }
        if target == nil, let message = JobSuccessPolicy.match(job, completed: completed) {
            target = Target(type: "Complete", reason: JobSuccessPolicy.reason, message: message)
        }
        if target == nil {
            let done: Bool
            if indexed { done = completed.count >= (completions ?? 0) }
            else if let c = completions { done = succeeded >= c }
            else { done = succeeded > 0 && activeCount == 0 }
            if done { target = Self.completionsReached }
        }
        guard let t = target else { return deadlineIn }
        _ = setCondition(t.type == "Failed" ? "FailureTarget" : "SuccessCriteriaMet", "True", t.reason, t.message)
        return nil
    }

    /// Kubernetes' `ensureJobConditionStatus`: true if the conditions changed.
    mutating func setCondition(_ type: String, _ value: String, _ reason: String, _ message: String, onlyIfPresent: Bool = false) -> Bool {
        var conditions = status["conditions"].arrayValue ?? []
        let stamp = JSON.string(Timestamp.format(now))
        let fresh: JSON = ["type": .string(type), "status": .string(value), "lastProbeTime": stamp, "lastTransitionTime": stamp,
                           "reason": .string(reason), "message": .string(message)]
        if let i = conditions.firstIndex(where: { $0["type"].stringValue == type }) {
            guard conditions[i]["status"].stringValue != value else { return false }
            conditions[i] = fresh
        } else {
            guard !onlyIfPresent else { return false }
            conditions.append(fresh)
        }
        status["conditions"] = .array(conditions)
        return true
    }
}
