import Foundation

/// The second half of `syncCronJob`: starting the Job for a due scheduled time.
extension CronJobController {
    func startDueJob(_ cj: inout JSON, now: Double, changed: inout Bool) async throws(Status) -> Double? {
        let spec = cj["spec"], schedule = spec["schedule"].stringValue ?? ""
        guard let zone = CronJobStrategy.zone(spec["timeZone"].stringValue) else {
            let tz = spec["timeZone"].stringValue ?? ""
            record(cj, type: "Warning", "UnknownTimeZone", "invalid timeZone: \"\(tz)\": unknown time zone \(tz)")
            return nil
        }
        if spec["suspend"].boolValue == true { return nil }
        let parsed: CronSchedule
        do throws(CronSchedule.ParseError) {
            parsed = try CronSchedule.parse(schedule)
        } catch {
            record(cj, type: "Warning", "UnparseableSchedule", "unparseable schedule: \"\(schedule)\" : \(error.message)")
            return nil
        }
        let times = CronTimes(schedule: parsed, zone: zone)
        let created = cj["metadata"]["creationTimestamp"].stringValue.flatMap(Timestamp.parse) ?? now
        let lastSchedule = cj["status"]["lastScheduleTime"].stringValue.flatMap(Timestamp.parse)
        let requeue = { (cj: JSON) in
            times.requeueAfter(created: created, lastSchedule: cj["status"]["lastScheduleTime"].stringValue.flatMap(Timestamp.parse), now: now)
        }
        let recent: CronTimes.Recent
        do throws(CronTimes.InvalidSchedule) {
            recent = try times.mostRecent(created: created, lastSchedule: lastSchedule, deadline: spec["startingDeadlineSeconds"].intValue, now: now)
        } catch {
            record(cj, type: "Warning", "InvalidSchedule", "invalid schedule: \(schedule) : \(error.message)")
            return nil
        }
        guard let scheduled = recent.mostRecent else { return requeue(cj) }
        if recent.missed == .many {
            record(cj, type: "Warning", "TooManyMissedTimes", "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew")
        }
        if let deadline = spec["startingDeadlineSeconds"].intValue, scheduled + Double(deadline) < now {
            record(cj, type: "Warning", "MissSchedule", "Missed scheduled time to start a job: \(Timestamp.rfc1123(scheduled))")
            return requeue(cj)
        }
        let name = CronJobJobs.name(cj["metadata"]["name"].stringValue ?? "", scheduled: scheduled)
        if activeRefs(cj).contains(where: { $0["name"].stringValue == name }) || lastSchedule == scheduled { return requeue(cj) }
        let policy = spec["concurrencyPolicy"].stringValue ?? "Allow"
        if policy == "Forbid" && !activeRefs(cj).isEmpty {
            record(cj, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid")
            return requeue(cj)
        }
        let namespace = cj["metadata"]["namespace"].stringValue
        if policy == "Replace" {
            for ref in activeRefs(cj) {
                let job: JSON
                do {
                    job = try await client.get(.jobs, namespace: ref["namespace"].stringValue, name: ref["name"].stringValue ?? "")
                } catch {
                    record(cj, type: "Warning", "FailedGet", "Get job: \(error.message)")
                    throw error
                }
                guard await deleteJob(&cj, job) else {
                    throw Status(code: 500, reason: "InternalError", message: "could not replace job \(namespace ?? "")/\(ref["name"].stringValue ?? "")")
                }
                changed = true
            }
        }
        var made: JSON
        do {
            made = try await client.create(.jobs, namespace: namespace, CronJobJobs.job(for: cj, scheduled: scheduled, zone: zone))
            record(cj, "SuccessfulCreate", "Created job \(name)")
        } catch where error.isAlreadyExists {
            // Made already (by us before a restart, or by another leader): record it if it is ours.
            made = try await client.get(.jobs, namespace: namespace, name: name)
            guard ControllerRefs.isControlled(made, byUID: cj["metadata"]["uid"].stringValue ?? ""),
                  !activeRefs(cj).contains(where: { $0["uid"] == made["metadata"]["uid"] }) else { return requeue(cj) }
        } catch {
            record(cj, type: "Warning", "FailedCreate", "Error creating job: \(error.message)")
            throw error
        }
        cj[path: ["status", "active"]] = .array(activeRefs(cj) + [CronJobJobs.reference(made)])
        cj[path: ["status", "lastScheduleTime"]] = .string(Timestamp.format(scheduled))
        changed = true
        return requeue(cj)
    }
}
