import Foundation

/// One sync of a CronJob (Kubernetes' `sync`, `cleanupFinishedJobs` and `syncCronJob`):
/// every change goes into one status write at the end.
extension CronJobController {
    /// Returns when to look again (seconds from now), if at all.
    func sync(_ cached: JSON, jobs: [JSON]) async throws(Status) -> Double? {
        // A cache older than our own last status write would act on what we already did
        // (a Job seen as missing, a time not yet recorded): its update event syncs again.
        if memory.isStale(cached) { return nil }
        let base = try await freshest(cached, jobs: jobs)
        var cj = base
        var changed = await cleanupFinishedJobs(&cj, jobs)
        var failure: Status?
        var requeue: Double?
        do throws(Status) {
            requeue = try await syncCronJob(&cj, jobs: jobs, changed: &changed)
        } catch {
            failure = error
        }
        if changed { try await writeStatus(cj, basedOn: base) }
        if let failure { throw failure }
        return requeue
    }

    /// The status write (optimistic, at the resourceVersion read). When only metadata or
    /// spec changed since (a user's edit), the status is put on the live object and
    /// written once more; if the status itself changed, the conflict stands and the
    /// update's event brings a fresh sync.
    func writeStatus(_ cj: JSON, basedOn cached: JSON) async throws(Status) {
        do {
            memory.wrote(try await client.update(.cronJobs, cj, status: true))
        } catch where error.code == 409 {
            let m = cj["metadata"]
            guard var live = try await client.getIfPresent(.cronJobs, namespace: m["namespace"].stringValue, name: m["name"].stringValue ?? ""),
                  live["metadata"]["uid"] == m["uid"], live["status"] == cached["status"] else { throw error }
            live["status"] = cj["status"]
            memory.wrote(try await client.update(.cronJobs, live, status: true))
        }
    }

    /// Finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit go, oldest
    /// first (Background propagation).
    func cleanupFinishedJobs(_ cj: inout JSON, _ jobs: [JSON]) async -> Bool {
        let spec = cj["spec"]
        var changed = false
        for (type, limitField) in [("Complete", "successfulJobsHistoryLimit"), ("Failed", "failedJobsHistoryLimit")] {
            guard let limit = spec[limitField].intValue else { continue }
            let finished = jobs.filter { CronJobJobs.finishedCondition($0) == type }.sorted(by: CronJobJobs.startOrder)
            for job in finished.prefix(max(0, finished.count - limit)) where await deleteJob(&cj, job) { changed = true }
        }
        return changed
    }

    /// Kubernetes' `deleteJob`: the Job goes (Background) and leaves `status.active`.
    func deleteJob(_ cj: inout JSON, _ job: JSON) async -> Bool {
        let name = job["metadata"]["name"].stringValue ?? ""
        do {
            try await client.delete(.jobs, namespace: job["metadata"]["namespace"].stringValue, name: name,
                                    uid: job["metadata"]["uid"].stringValue, propagationPolicy: "Background")
        } catch where !error.isNotFound {
            record(cj, type: "Warning", "FailedDelete", "Deleted job: \(error.message)")
            return false
        } catch {}
        removeActive(&cj, uid: job["metadata"]["uid"].stringValue ?? "")
        record(cj, "SuccessfulDelete", "Deleted job \(name)")
        return true
    }

    /// The CronJob to start from: the cached one, or the live one when an unfinished Job is
    /// missing from the cached `status.active` (maybe our own status write is not in the
    /// cache yet). Asked before anything changes, so the whole sync builds on one object.
    func freshest(_ cached: JSON, jobs: [JSON]) async throws(Status) -> JSON {
        let active = Set(activeRefs(cached).compactMap { $0["uid"].stringValue })
        guard jobs.contains(where: { CronJobJobs.finishedCondition($0) == nil && !active.contains($0["metadata"]["uid"].stringValue ?? "") }),
              let live = try await client.getIfPresent(.cronJobs, namespace: cached["metadata"]["namespace"].stringValue,
                                                       name: cached["metadata"]["name"].stringValue ?? ""),
              live["metadata"]["uid"] == cached["metadata"]["uid"] else { return cached }
        return live
    }

    func activeRefs(_ cj: JSON) -> [JSON] { cj["status"]["active"].arrayValue ?? [] }

    func removeActive(_ cj: inout JSON, uid: String) {
        let left = activeRefs(cj).filter { $0["uid"].stringValue != uid }
        cj[path: ["status", "active"]] = left.isEmpty ? .null : .array(left)
    }

    /// `syncCronJob`: status from the Jobs, then (unless deleting, suspended or not due) the
    /// Job for the most recent missed scheduled time.
    func syncCronJob(_ cj: inout JSON, jobs: [JSON], changed: inout Bool) async throws(Status) -> Double? {
        let now = clock.now
        var owned = Set<String>()
        for j in jobs {
            let uid = j["metadata"]["uid"].stringValue ?? "", name = j["metadata"]["name"].stringValue ?? ""
            owned.insert(uid)
            let isActive = activeRefs(cj).contains { $0["uid"].stringValue == uid }
            let finished = CronJobJobs.finishedCondition(j)
            if !isActive && finished == nil {
                record(cj, type: "Warning", "UnexpectedJob", "Saw a job that the controller did not create or forgot: \(name)")
            } else if isActive, let condition = finished {
                removeActive(&cj, uid: uid)
                record(cj, "SawCompletedJob", "Saw completed job: \(name), condition: \(condition)")
                changed = true
            } else if finished == "Complete", let done = j["status"]["completionTime"].stringValue, let t = Timestamp.parse(done) {
                let last = cj["status"]["lastSuccessfulTime"].stringValue.flatMap(Timestamp.parse)
                if last == nil || t > last! {
                    cj[path: ["status", "lastSuccessfulTime"]] = .string(done)
                    changed = true
                }
            }
        }
        // Active Jobs that are gone (checked live, the cache may be slow) leave the list.
        for ref in activeRefs(cj) where !owned.contains(ref["uid"].stringValue ?? "") {
            let name = ref["name"].stringValue ?? ""
            if try await client.getIfPresent(.jobs, namespace: ref["namespace"].stringValue, name: name) == nil {
                record(cj, "MissingJob", "Active job went missing: \(name)")
                removeActive(&cj, uid: ref["uid"].stringValue ?? "")
                changed = true
            }
        }
        if !cj["metadata"]["deletionTimestamp"].isNull { return nil }
        return try await startDueJob(&cj, now: now, changed: &changed)
    }
}
