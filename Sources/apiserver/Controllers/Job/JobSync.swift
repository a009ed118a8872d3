import ControllerRuntime
import Wire

/// One sync of one Job: count newly finished pods, decide whether the Job is done, run or
/// stop its pods, then write status and release counted pods (JobTracking.swift).
extension JobController {
    /// Returns when to look at the Job again (deadline, back-off), if a time matters.
    func sync(_ key: String, jobs: Indexer, pods podCache: Indexer) async throws(Status) -> Double? {
        guard let job = jobs.get(key) else {
            await releaseOrphans(key, podCache)
            return nil
        }
        guard !memory.isStale(key, job), memory.expectations.satisfied(key),
              let selectorSpec = try? JSONValueDecoder.decode(LabelSelectorSpec.self, from: job["spec"]["selector"]).value,
              let selector = try? LabelSelector(selectorSpec) else { return nil }
        let ns = job["metadata"]["namespace"].stringValue ?? ""
        let pods = await Claims(client: client, owner: job, ownerType: .jobs, dependentType: .pods, selector: selector)
            .claim(podCache.byIndex(Indexes.namespace, ns))
        if JobRules.isFinished(job) {
            // Nothing is counted any more; pods still holding the finalizer are let go.
            for p in pods where JobRules.hasFinalizer(p) { _ = await removeFinalizer(p) }
            memory.forget(key)
            return nil
        }
        var s = JobSyncState(job: job, now: clock.now)
        s.countFinished(pods, memory: memory)
        var b = memory.backoff(key)
        if s.newSucceeded { b = .init() }
        if s.newFailed > 0 { b.failures += s.newFailed; b.lastFailure = s.now }
        memory.setBackoff(key, b)

        var again: Double? = nil
        let deleting = !job["metadata"]["deletionTimestamp"].isNull
        var deleted = 0, created = 0
        if s.target == nil && !deleting {
            again = s.decideTarget(activeCount: pods.filter(PodState.isActive).count)
        }
        let active = pods.filter(PodState.isActive)
        if s.target != nil {
            // Every pod not yet finished counts as failed, and the active ones are stopped.
            s.countUnfinishedAsFailed(pods, memory: memory)
            deleted = await deletePods(active, job: job, key: key)
        } else if !deleting {
            (created, deleted, again) = try await managePods(&s, active: active, key: key, backoff: b, again: again)
        }
        try await track(&s, pods: pods, active: active.count - deleted + created, deleted: deleted, deleting: deleting, key: key)
        return again
    }

    /// Suspend, resume and the number of active pods: up to parallelism, never more than
    /// the completions left; replacements wait out the back-off.
    private func managePods(_ s: inout JobSyncState, active: [JSON], key: String, backoff b: JobMemory.Backoff,
                            again: Double?) async throws(Status) -> (created: Int, deleted: Int, again: Double?) {
        let job = s.job
        if JobRules.isSuspended(job) {
            if s.setCondition("Suspended", "True", "JobSuspended", "Job suspended") { record(job, "Suspended", "Job suspended") }
            return (0, await deletePods(active, job: job, key: key), nil)
        }
        if s.setCondition("Suspended", "False", "JobResumed", "Job resumed", onlyIfPresent: true) {
            record(job, "Resumed", "Job resumed")
            s.status["startTime"] = .string(Timestamp.format(s.now))
        }
        if s.status["startTime"].isNull { s.status["startTime"] = .string(Timestamp.format(s.now)) }
        let parallelism = job["spec"]["parallelism"].intValue ?? 1
        var keep = active
        var surplus: [JSON] = []
        var missing: [Int?] = []
        if s.indexed, let completions = s.completions {
            // One active pod per index not yet completed; others go.
            var seen = Set<Int>()
            keep = []
            for p in active {
                if let i = JobRules.index(p), i < completions, !s.completed.contains(i), !seen.contains(i) {
                    seen.insert(i); keep.append(p)
                } else { surplus.append(p) }
            }
            let want = max(0, min(parallelism, completions - s.completed.count))
            let free = (0..<completions).filter { !s.completed.contains($0) && !seen.contains($0) }
            missing = Array(free.prefix(max(0, want - keep.count)))
            if keep.count > want { surplus += keep.sorted(by: JobRules.deletionOrder).prefix(keep.count - want) }
        } else {
            let want: Int
            if let completions = s.completions { want = max(0, min(parallelism, completions - s.succeeded)) }
            else { want = s.succeeded > 0 ? keep.count : parallelism }
            if keep.count > want { surplus = Array(keep.sorted(by: JobRules.deletionOrder).prefix(keep.count - want)) }
            missing = Array(repeating: nil, count: max(0, want - keep.count))
        }
        if !surplus.isEmpty { return (0, await deletePods(surplus, job: job, key: key), again) }
        guard !missing.isEmpty else { return (0, 0, again) }
        let wait = b.lastFailure + JobRules.backoff(failures: b.failures) - s.now
        if b.failures > 0 && wait > 0 { return (0, 0, min(again ?? wait, wait)) }
        return (try await createPods(job, indexes: missing, key: key), 0, again)
    }

    private func createPods(_ job: JSON, indexes: [Int?], key: String) async throws(Status) -> Int {
        memory.expectations.expect(key, creations: indexes.count)
        var created = 0
        var firstError: Status?
        for i in indexes {
            do {
                let pod = try await client.create(.pods, namespace: job["metadata"]["namespace"].stringValue, JobRules.pod(for: job, index: i))
                created += 1
                record(job, "SuccessfulCreate", "Created pod: \(pod["metadata"]["name"].stringValue ?? "")")
            } catch {
                memory.expectations.creationFailed(key)
                if firstError == nil { record(job, type: "Warning", "FailedCreate", "Error creating: \(error.message)") }
                firstError = firstError ?? error
            }
        }
        if let firstError, created == 0 { throw firstError }
        return created
    }

    /// Deletes pods (uid-preconditioned); returns how many deletes went through.
    private func deletePods(_ pods: [JSON], job: JSON, key: String) async -> Int {
        let doomed = pods.filter { PodState.isNotBeingDeleted($0) }
        guard !doomed.isEmpty else { return 0 }
        memory.expectations.expect(key, deletingUIDs: doomed.compactMap { $0["metadata"]["uid"].stringValue })
        var deleted = 0
        for p in doomed {
            let m = p["metadata"], uid = m["uid"].stringValue ?? ""
            do {
                _ = try await client.delete(.pods, namespace: m["namespace"].stringValue, name: m["name"].stringValue ?? "", uid: uid)
                deleted += 1
                record(job, "SuccessfulDelete", "Deleted pod: \(m["name"].stringValue ?? "")")
            } catch {
                memory.expectations.deletionObserved(key, uid: uid)
                if error.isNotFound { continue }
                record(job, type: "Warning", "FailedDelete", "Error deleting: \(error.message)")
            }
        }
        return deleted
    }
}
