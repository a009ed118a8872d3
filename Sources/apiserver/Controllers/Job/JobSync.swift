import ControllerRuntime
import Wire

/// One sync of one Job: count newly finished pods, decide whether the Job is done, run or
/// stop its pods, then write status and release counted pods (JobTracking.swift).
extension JobController {
    /// What a sync asks of the queue: when to look at the Job again (deadline, back-off,
    /// expectations' expiry), and whether a pod creation failed (then a rate-limited requeue).
    struct Outcome: Equatable {
        var again: Double? = nil
        var createFailed = false
    }

    func sync(_ key: String, jobs: Indexer, pods podCache: Indexer) async throws(Status) -> Outcome {
        guard let job = jobs.get(key) else {
            await releaseOrphans(key, podCache)
            return Outcome()
        }
        // Read before listing pods: what the cache shows afterwards is at least this fresh.
        // Pending expectations skip only the pod management (Kubernetes' syncJob); counting
        // and releasing finished pods go on.
        let managing = memory.expectations.satisfied(key)
        guard !memory.isStale(key, job), let selector = WorkloadSelector.of(job) else { return Outcome() }
        let ns = job["metadata"]["namespace"].stringValue ?? ""
        let removing = memory.finalizerRemovals()
        let namespacePods = podCache.byIndex(Indexes.namespace, ns)
        await afterListingPods?()
        await releaseEarlierJobsPods(job, namespacePods)
        let pods = await Claims(client: client, owner: job, ownerType: .jobs, dependentType: .pods, selector: selector)
            .claim(namespacePods)
        if JobRules.isFinished(job) {
            // Nothing is counted any more; pods still holding the finalizer are let go.
            _ = await removeFinalizers(pods.filter(JobRules.hasFinalizer))
            memory.forget(key)
            return Outcome()
        }
        var s = JobSyncState(job: job, now: clock.now, removing: removing)
        s.countFinished(pods)
        var b = memory.backoff(key)
        if s.newSucceeded { b = .init() }
        if s.newFailed > 0 { b.failures += s.newFailed; b.lastFailure = s.now }
        memory.setBackoff(key, b)

        var out = Outcome()
        let deleting = !job["metadata"]["deletionTimestamp"].isNull
        var deleted = 0, created = 0
        let active = pods.filter(PodState.isActive)
        if s.target == nil && !deleting {
            out.again = s.decideTarget(pods: pods, activeCount: active.count)
        }
        if s.target == nil && !deleting { s.holdLastFailures(pods, active: active) }
        if let t = s.target {
            // The active pods are stopped; if the Job fails, every pod not finished counts as failed.
            if t.type == "Failed" { s.countUnfinishedAsFailed(pods) }
            deleted = await deletePods(active, job: job, key: key)
        } else if !deleting && managing {
            // Only Failed pods are replaced: terminating ones hold their place until then.
            let holding = job["spec"]["podReplacementPolicy"] == "Failed" ? pods.filter(JobRules.isTerminatingUnfinished) : []
            let m = await managePods(&s, active: active, terminating: holding, key: key, backoff: b, again: out.again)
            (created, deleted, out.again, out.createFailed) = (m.created, m.deleted, m.again, m.createFailed)
        } else if !deleting {
            // A lost watch event must not block the Job: look again when expectations expire.
            out.again = min(out.again ?? ControllerExpectations.timeout, ControllerExpectations.timeout)
        }
        try await track(&s, pods: pods, active: active.count - deleted + created, deleted: deleted, deleting: deleting, key: key)
        return out
    }

    /// Kubernetes' `MaxPodCreateDeletePerSync`: a sync creates or deletes at most this many
    /// pods (the next sync, once their events are seen, goes on), so a Job with
    /// `parallelism: 2147483647` neither builds a list of that size nor floods the server.
    static let maxPodCreateDeletePerSync = 500

    /// Suspend, resume and the number of active pods: up to parallelism, never more than
    /// the completions left; replacements wait out the back-off (the Job's, or with
    /// backoffLimitPerIndex each index's own), and (`terminating`, with podReplacementPolicy
    /// Failed) for the pods they replace to finish.
    private func managePods(_ s: inout JobSyncState, active: [JSON], terminating: [JSON], key: String, backoff b: JobMemory.Backoff,
                            again: Double?) async -> (created: Int, deleted: Int, again: Double?, createFailed: Bool) {
        let job = s.job
        if JobRules.isSuspended(job) {
            if s.setCondition("Suspended", "True", "JobSuspended", "Job suspended") { record(job, "Suspended", "Job suspended") }
            let doomed = active.sorted(by: JobRules.deletionOrder).prefix(Self.maxPodCreateDeletePerSync)
            return (0, await deletePods(Array(doomed), job: job, key: key), nil, false)
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
                if let i = JobRules.index(p), i < completions, !s.completed.contains(i), !s.failedIndexes.contains(i), !seen.contains(i) {
                    seen.insert(i); keep.append(p)
                } else { surplus.append(p) }
            }
            let want = max(0, min(parallelism, completions - s.completed.count - s.failedIndexes.count))
            let held = Set(terminating.compactMap(JobRules.index))
            let need = max(0, want - keep.count - held.subtracting(seen).filter { !s.completed.contains($0) }.count)
            // `completions` may be up to 2^31-1: only the first free indexes are looked for,
            // walking the gaps between the completed and failed intervals.
            missing = s.completed.union(s.failedIndexes)
                .firstMissing(below: completions, skipping: seen.union(held), limit: min(need, Self.maxPodCreateDeletePerSync))
            if keep.count > want { surplus += keep.sorted(by: JobRules.deletionOrder).prefix(keep.count - want) }
        } else {
            let want: Int
            if let completions = s.completions { want = max(0, min(parallelism, completions - s.succeeded)) }
            else { want = s.succeeded > 0 ? keep.count : parallelism }
            if keep.count > want { surplus = Array(keep.sorted(by: JobRules.deletionOrder).prefix(keep.count - want)) }
            missing = Array(repeating: nil, count: min(max(0, want - keep.count - terminating.count), Self.maxPodCreateDeletePerSync))
        }
        if !surplus.isEmpty {
            let doomed = Array(surplus.prefix(Self.maxPodCreateDeletePerSync))
            return (0, await deletePods(doomed, job: job, key: key), again, false)
        }
        guard !missing.isEmpty else { return (0, 0, again, false) }
        var again = again
        var counts: [Int: (counted: Int, ignored: Int)] = [:]
        if s.perIndexLimit != nil {
            // Each index waits its own back-off (Kubernetes' getPodCreationInfoForIndependentIndexes);
            // those ready are made now, the Job is looked at again for the soonest other.
            var ready: [Int?] = []
            for case let i? in missing {
                let wait = JobRules.indexBackoffRemaining(lastFailed: s.held[i], now: s.now)
                if wait > 0 { again = min(again ?? wait, wait) } else { ready.append(i) }
            }
            missing = ready
            guard !missing.isEmpty else { return (0, 0, again, false) }
            for case let i? in missing { counts[i] = JobRules.replacementFailureCounts(job, replacing: s.held[i]) }
        } else {
            let wait = b.lastFailure + JobRules.backoff(failures: b.failures) - s.now
            if b.failures > 0 && wait > 0 { return (0, 0, min(again ?? wait, wait), false) }
        }
        let (created, failed) = await createPods(job, indexes: missing, failureCounts: counts, key: key)
        return (created, 0, again, failed)
    }

    /// Creates the pods (`PodControl`: slow-start batches, a failing batch stops the rest).
    /// Returns how many were made and whether a creation failed (a refusal because the
    /// namespace is being terminated is none, as in Kubernetes).
    private func createPods(_ job: JSON, indexes: [Int?], failureCounts: [Int: (counted: Int, ignored: Int)], key: String) async -> (created: Int, failed: Bool) {
        let pods = indexes.map { i in JobRules.pod(for: job, index: i, failureCounts: i.flatMap { failureCounts[$0] }) }
        let control = podControl(job, key: key)
        control.expect(creations: pods.count)
        let made = await control.createAll(pods)
        return (made.created, made.error != nil)
    }

    /// Deletes pods not already being deleted, all at once (`PodControl`, uid-preconditioned);
    /// returns how many deletes went through.
    private func deletePods(_ pods: [JSON], job: JSON, key: String) async -> Int {
        let doomed = pods.filter { PodState.isNotBeingDeleted($0) }
        guard !doomed.isEmpty else { return 0 }
        let control = podControl(job, key: key)
        control.expect(deleting: doomed)
        return await control.deleteAll(doomed).deleted
    }

    private func podControl(_ job: JSON, key: String) -> PodControl {
        PodControl(client: client, events: events, expectations: memory.expectations, owner: job, ownerType: .jobs, key: key)
    }
}
