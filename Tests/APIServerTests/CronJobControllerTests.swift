import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// The cronjob controller on an in-process apiserver and a fake clock: one Job per
/// scheduled minute under an idempotent name, concurrency policies, suspend, the starting
/// deadline, status and history limits.
@Suite(.serialized) struct CronJobControllerTests {
    @Test func aDueScheduleMakesExactlyOneJobWithTheIdempotentName() async throws {
        let h = try await CronJobHarness()
        defer { Task { await h.stop() } }
        var cj = CronJobHarness.cronJob("every", ["timeZone": "America/New_York"])
        cj[path: ["spec", "jobTemplate", "metadata"]] = ["labels": ["app": "report"], "annotations": ["team": "ops"]]
        let first = try await h.create(cj)
        let stale = try await h.get("every")
        let base = h.clock.sleeperCount
        h.start()
        // The controller arms its own requeue for the first minute (plus 100 ms).
        try await eventuallyTrue(5) { h.clock.sleeperCount > base }
        #expect(try await h.jobNames() == [])
        h.clock.advance(by: first + 1 - h.clock.now)
        let name = "every-\(Int(first) / 60)"
        try await eventuallyTrue(5) { try await h.jobNames() == [name] }
        let job = try await h.client.get(.jobs, namespace: "default", name: name)
        let owner = try await h.get("every")
        #expect(job["metadata"]["ownerReferences"] == [["apiVersion": "batch/v1", "kind": "CronJob", "name": "every",
                                                        "uid": owner["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true]])
        #expect(job["metadata"]["labels"] == ["app": "report"])
        // November in New York is UTC-5.
        let local = Timestamp.format(first - 5 * 3600).replacingOccurrences(of: "Z", with: "-05:00")
        #expect(job["metadata"]["annotations"] == ["team": "ops", "batch.kubernetes.io/cronjob-scheduled-timestamp": .string(local)])
        #expect(job["spec"]["template"]["spec"]["containers"].arrayValue?.first?["command"] == ["date"])
        try await eventuallyTrue(5) { try await h.get("every")["status"]["active"].arrayValue?.count == 1 }
        let status = try await h.get("every")["status"]
        #expect(status["lastScheduleTime"] == .string(Timestamp.format(first)))
        #expect(status["active"].arrayValue?.first?["name"] == .string(name))
        #expect(status["active"].arrayValue?.first?["kind"] == "Job")

        // A deposed leader (its own controller, a cache from before the Job) syncing the
        // same minute makes no second Job: the create of the same name gets AlreadyExists,
        // and its status write at the old resourceVersion is refused.
        let deposed = CronJobController(client: h.client, logger: .init(label: "deposed"), events: nil, clock: h.clock)
        await #expect(throws: Status.self) { _ = try await deposed.sync(stale, jobs: []) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await h.jobNames() == [name])
        #expect(try await h.eventTexts("every") == ["Normal SuccessfulCreate: Created job \(name)"])
    }

    @Test func forbidSkipsWhileAJobIsActiveAndReplaceReplacesIt() async throws {
        let h = try await CronJobHarness()
        defer { Task { await h.stop() } }
        let first = try await h.create(CronJobHarness.cronJob("forbid", ["concurrencyPolicy": "Forbid"]))
        _ = try await h.create(CronJobHarness.cronJob("replace", ["concurrencyPolicy": "Replace"]))
        h.start()
        try await h.tick("forbid", to: first + 1)
        try await h.tick("replace", to: first + 1)
        let m1 = Int(first) / 60, m2 = m1 + 1
        try await eventuallyTrue(5) { try await h.jobNames() == ["forbid-\(m1)", "replace-\(m1)"] }
        try await eventuallyTrue(5) { try await h.get("replace")["status"]["active"].arrayValue?.count == 1 }
        try await eventuallyTrue(5) { try await h.get("forbid")["status"]["active"].arrayValue?.count == 1 }
        try await h.tick("forbid", to: first + 61)
        try await h.tick("replace", to: first + 61)
        try await eventuallyTrue(5) { try await h.jobNames() == ["forbid-\(m1)", "replace-\(m2)"] }
        try await eventuallyTrue(5) { try await h.get("replace")["status"]["active"].arrayValue?.first?["name"] == .string("replace-\(m2)") }
        #expect(try await h.get("replace")["status"]["active"].arrayValue?.count == 1)
        #expect(try await h.get("forbid")["status"]["lastScheduleTime"] == .string(Timestamp.format(first)))
        try await eventuallyTrue(5) { try await h.eventTexts("forbid").contains("Normal JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid") }
        try await eventuallyTrue(5) {
            try await h.eventTexts("replace") == ["Normal SuccessfulCreate: Created job replace-\(m1)", "Normal SuccessfulDelete: Deleted job replace-\(m1)",
                                                 "Normal SuccessfulCreate: Created job replace-\(m2)"]
        }
    }

    @Test func suspendAndTheStartingDeadline() async throws {
        let h = try await CronJobHarness()
        defer { Task { await h.stop() } }
        let first = try await h.create(CronJobHarness.cronJob("late", ["suspend": true, "startingDeadlineSeconds": 10]))
        h.start()
        // Suspended: the minute passes without a Job.
        try await h.tick("late", to: first + 5)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await h.jobNames() == [])
        // Resumed 40 s after the minute, past its 10 s deadline: skipped.
        h.clock.advance(by: first + 40 - h.clock.now)
        _ = try await h.client.patch(.cronJobs, namespace: "default", name: "late", ["spec": ["suspend": false]])
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await h.jobNames() == [])
        // The next minute, within its deadline, runs.
        try await h.tick("late", to: first + 63)
        try await eventuallyTrue(5) { try await h.jobNames() == ["late-\(Int(first) / 60 + 1)"] }
    }

    @Test func manyMissedTimesRunOnlyTheLatestWithAWarning() async throws {
        let h = try await CronJobHarness()
        defer { Task { await h.stop() } }
        let first = try await h.create(CronJobHarness.cronJob("behind"))
        h.start()
        // 200 minutes pass (a controller that was down): only the latest minute runs.
        try await h.tick("behind", to: first + 199 * 60 + 30)
        try await eventuallyTrue(5) { try await h.jobNames() == ["behind-\(Int(first) / 60 + 199)"] }
        try await eventuallyTrue(5) {
            try await h.eventTexts("behind") == [
                "Warning TooManyMissedTimes: too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
                "Normal SuccessfulCreate: Created job behind-\(Int(first) / 60 + 199)",
            ]
        }
    }

    @Test func finishedJobsUpdateStatusAndHistoryLimitsPruneTheOldest() async throws {
        let h = try await CronJobHarness()
        defer { Task { await h.stop() } }
        let first = try await h.create(CronJobHarness.cronJob("hist", ["successfulJobsHistoryLimit": 1, "failedJobsHistoryLimit": 0]))
        h.start()
        let m = Int(first) / 60
        try await h.tick("hist", to: first + 1)
        try await eventuallyTrue(5) { try await h.jobNames() == ["hist-\(m)"] }
        try await h.finish("hist-\(m)", "Complete", started: first + 1, finished: first + 20)
        try await eventuallyTrue(5) { try await h.get("hist")["status"]["active"].isNull }
        try await h.tick("hist", to: first + 61)
        try await eventuallyTrue(5) { try await h.jobNames() == ["hist-\(m)", "hist-\(m + 1)"] }
        try await h.finish("hist-\(m + 1)", "Complete", started: first + 61, finished: first + 80)
        // Two succeeded, limit 1: the older goes.
        try await eventuallyTrue(5) { try await h.jobNames() == ["hist-\(m + 1)"] }
        try await eventuallyTrue(5) { try await h.get("hist")["status"]["lastSuccessfulTime"] == .string(Timestamp.format(first + 80)) }
        try await h.tick("hist", to: first + 121)
        try await eventuallyTrue(5) { try await h.jobNames() == ["hist-\(m + 1)", "hist-\(m + 2)"] }
        // A failed Job with a limit of 0 goes at once.
        try await h.finish("hist-\(m + 2)", "Failed", started: first + 121, finished: first + 130)
        try await eventuallyTrue(5) { try await h.jobNames() == ["hist-\(m + 1)"] }
        try await eventuallyTrue(5) {
            try await h.eventTexts("hist") == [
                "Normal SuccessfulCreate: Created job hist-\(m)", "Normal SawCompletedJob: Saw completed job: hist-\(m), condition: Complete",
                "Normal SuccessfulCreate: Created job hist-\(m + 1)",
                // Cleanup comes first in a sync, as in Kubernetes.
                "Normal SuccessfulDelete: Deleted job hist-\(m)", "Normal SawCompletedJob: Saw completed job: hist-\(m + 1), condition: Complete",
                "Normal SuccessfulCreate: Created job hist-\(m + 2)", "Normal SuccessfulDelete: Deleted job hist-\(m + 2)",
            ]
        }
        #expect(try await h.get("hist")["status"]["active"].isNull)
    }
}
