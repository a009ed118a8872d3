import ControllerRuntime
import Wire

/// Kubernetes' `trackJobStatusAndRemoveFinalizers`: a finished pod is first written to
/// `status.uncountedTerminatedPods` (an Indexed Job's success to `completedIndexes`), then
/// its `job-tracking` finalizer is removed, then it moves into succeeded/failed. Whatever
/// step a restart interrupts, the next sync finishes it without counting a pod twice.
extension JobController {
    func track(_ s: inout JobSyncState, pods: [JSON], active: Int, deleted: Int, deleting: Bool, key: String) async throws(Status) {
        var job = s.job
        s.status["active"] = active > 0 ? .int(active) : .null
        s.status["ready"] = .int(pods.filter { PodState.isActive($0) && PodState.isReady($0) }.count)
        s.status["terminating"] = .int(pods.filter(JobRules.isTerminatingUnfinished).count + deleted)
        if s.indexed {
            s.status["completedIndexes"] = s.completed.text.map { .string($0) } ?? .null
            s.status["succeeded"] = s.completed.isEmpty ? .null : .int(s.completed.count)
            if s.perIndexLimit != nil { s.status["failedIndexes"] = .string(s.failedIndexes.text ?? "") }
        }
        setUncounted(&s)
        if s.status != job["status"] { job = try await writeStatus(job, s.status, key) }

        // Release the pods whose finish is now in the status (all of them if the Job is going
        // or is to succeed: pods stopped then are not counted).
        let uncounted = Set(s.uncountedSucceeded + s.uncountedFailed)
        let releaseAll = deleting || s.target?.type == "Complete"
        // An index's held last failure keeps its finalizer until the replacement exists.
        let held = Set(s.held.values.compactMap { $0["metadata"]["uid"].stringValue })
        let releasing = pods.filter { p in
            guard JobRules.hasFinalizer(p) else { return false }
            let uid = p["metadata"]["uid"].stringValue ?? ""
            guard !held.contains(uid) else { return false }
            let indexDone = s.indexed && JobRules.isSucceeded(p) && JobRules.index(p).map(s.completed.contains) == true
            return (uncounted.contains(uid) || s.ignoredUIDs.contains(uid) || indexDone || releaseAll) && !s.removing.contains(uid)
        }
        let released = await removeFinalizers(releasing)
        let holding = Set(pods.filter { JobRules.hasFinalizer($0) }.compactMap { $0["metadata"]["uid"].stringValue })
            .filter { !released.contains($0) && !s.removing.contains($0) }
        let movedS = s.uncountedSucceeded.filter { !holding.contains($0) }
        let movedF = s.uncountedFailed.filter { !holding.contains($0) }
        s.uncountedSucceeded.removeAll { !holding.contains($0) }
        s.uncountedFailed.removeAll { !holding.contains($0) }
        if !movedS.isEmpty { s.status["succeeded"] = .int((s.status["succeeded"].intValue ?? 0) + movedS.count) }
        if !movedF.isEmpty { s.status["failed"] = .int((s.status["failed"].intValue ?? 0) + movedF.count) }
        setUncounted(&s)

        // Complete or Failed only once every pod has stopped and been counted.
        let stopped = deleted == 0 && !pods.contains { PodState.isActive($0) || JobRules.isTerminatingUnfinished($0) }
        var finished: JobSyncState.Target? = nil
        if let t = s.target, stopped, s.uncountedSucceeded.isEmpty && s.uncountedFailed.isEmpty {
            _ = s.setCondition(t.type, "True", t.reason, t.message)
            if t.type == "Complete" { s.status["completionTime"] = .string(Timestamp.format(s.now)) }
            finished = t
        }
        if s.status != job["status"] { _ = try await writeStatus(job, s.status, key) }
        if let t = finished {
            if t.type == "Complete" { record(job, "Completed", "Job completed") } else { record(job, type: "Warning", t.reason, t.message) }
        }
    }

    private func setUncounted(_ s: inout JobSyncState) {
        var u = JSONObject()
        if !s.uncountedSucceeded.isEmpty { u["succeeded"] = .array(s.uncountedSucceeded.map { .string($0) }) }
        if !s.uncountedFailed.isEmpty { u["failed"] = .array(s.uncountedFailed.map { .string($0) }) }
        s.status["uncountedTerminatedPods"] = .object(u)
    }

    private func writeStatus(_ job: JSON, _ status: JSON, _ key: String) async throws(Status) -> JSON {
        var j = job
        j["status"] = status
        let out = try await client.update(.jobs, j, status: true)
        memory.wrote(key, out)
        return out
    }

    /// How many finalizer removals run at once (Kubernetes' `MaxPodCreateDeletePerSync`-like bound).
    static let finalizerRemovalConcurrency = 10

    /// Removes the tracking finalizer of every pod, at most `finalizerRemovalConcurrency`
    /// at a time; returns the uids of the pods released (see `removeFinalizer`).
    func removeFinalizers(_ pods: [JSON]) async -> Set<String> {
        await withTaskGroup(of: String?.self) { g -> Set<String> in
            var released = Set<String>(), next = 0
            func start() {
                guard next < pods.count else { return }
                let p = pods[next]
                next += 1
                g.addTask { await removeFinalizer(p) ? p["metadata"]["uid"].stringValue : nil }
            }
            for _ in 0..<Self.finalizerRemovalConcurrency { start() }
            for await uid in g {
                if let uid { released.insert(uid) }
                start()
            }
            return released
        }
    }

    /// Removes the tracking finalizer: a patch at the cached pod's resourceVersion and uid,
    /// then, if the cache was behind (409), a live read and a patch at its resourceVersion.
    /// True once the pod no longer holds it or is gone.
    /// `onlyIf` must hold for the pod patched (else it is left alone, reported as released).
    func removeFinalizer(_ pod: JSON, onlyIf: (JSON) -> Bool = { _ in true }) async -> Bool {
        let m = pod["metadata"], uid = m["uid"].stringValue ?? "", ns = m["namespace"].stringValue, name = m["name"].stringValue ?? ""
        memory.removingFinalizer(uid)
        var cached: JSON? = pod
        for _ in 0..<3 {
            let live: JSON?
            if let c = cached {
                live = c
                cached = nil
            } else {
                do { live = try await client.getIfPresent(.pods, namespace: ns, name: name) } catch { break }
            }
            guard let live, live["metadata"]["uid"].stringValue == uid, onlyIf(live) else { return true }
            let all = live["metadata"]["finalizers"].arrayValue ?? []
            let rest = all.filter { $0.stringValue != JobRules.trackingFinalizer }
            if rest.count == all.count { return true }
            let patch: JSON = ["metadata": ["uid": .string(uid), "resourceVersion": live["metadata"]["resourceVersion"],
                                            "finalizers": rest.isEmpty ? .null : .array(rest)]]
            do {
                _ = try await client.patch(.pods, namespace: ns, name: name, patch)
                return true
            } catch where error.isNotFound {
                return true
            } catch where error.code == 409 {
                continue
            } catch {
                break
            }
        }
        memory.finalizerRemovalObserved(uid)
        return false
    }

    /// Pods that hold the finalizer for an earlier Job of this Job's name (deleted, then the
    /// name taken again before its pods were let go) are let go uncounted (Kubernetes'
    /// orphan-pod handling). The Job cache may be behind the pods (they may belong to a newer
    /// Job of the name than the cached one), so a mismatch only leads to a live read.
    func releaseEarlierJobsPods(_ job: JSON, _ namespacePods: [JSON]) async {
        let key = Indexer.key(job), uid = job["metadata"]["uid"]
        let held = namespacePods.filter { Self.jobKey(of: $0) == key && JobRules.hasFinalizer($0) }
        guard held.contains(where: { ControllerRefs.controllerOf($0)?["uid"] != uid }) else { return }
        await release(held, unlessControlledByLiveJob: key)
    }

    /// Pods that still hold the finalizer for a Job that is gone (or was recreated under
    /// the same name): a live read decides, then they are let go uncounted.
    func releaseOrphans(_ key: String, _ podCache: Indexer) async {
        let ns = String(key.prefix { $0 != "/" })
        await release(podCache.byIndex(Indexes.namespace, ns).filter { Self.jobKey(of: $0) == key && JobRules.hasFinalizer($0) },
                      unlessControlledByLiveJob: key)
    }

    /// Lets go of those of `held` that the Job now stored under `key` (by a live read) does
    /// not control.
    private func release(_ held: [JSON], unlessControlledByLiveJob key: String) async {
        guard !held.isEmpty else { return }
        let ns = String(key.prefix { $0 != "/" }), name = String(key.drop { $0 != "/" }.dropFirst())
        let live: JSON?
        do { live = try await client.getIfPresent(.jobs, namespace: ns, name: name) } catch { return }
        let liveUID = live?["metadata"]["uid"]
        for p in held where ControllerRefs.controllerOf(p)?["uid"] != liveUID {
            _ = await removeFinalizer(p, onlyIf: { ControllerRefs.controllerOf($0)?["uid"] != liveUID })
        }
    }
}
