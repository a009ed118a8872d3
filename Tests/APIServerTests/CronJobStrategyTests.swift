import Foundation
import Testing
@testable import apiserver

/// batch/v1 CronJob on the server: Kubernetes' defaults and its validation messages (bad
/// input refused, nothing stored).
@Suite(.serialized) struct CronJobStrategyTests {
    func refusal(_ s: InProcessServer, _ cj: JSON) async -> String {
        do {
            _ = try await s.client.create(.cronJobs, namespace: "default", cj)
            return "accepted"
        } catch {
            return "\(error.code) \(error.message)"
        }
    }

    @Test func defaultsAndStatusSubresource() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        var cj = CronJobHarness.cronJob("hello", schedule: "*/1 * * * *")
        cj[path: ["status", "lastScheduleTime"]] = "2026-01-01T00:00:00Z"
        let made = try await s.client.create(.cronJobs, namespace: "default", cj)
        #expect(made["spec"]["concurrencyPolicy"] == "Allow")
        #expect(made["spec"]["suspend"] == false)
        #expect(made["spec"]["successfulJobsHistoryLimit"] == 3)
        #expect(made["spec"]["failedJobsHistoryLimit"] == 1)
        #expect(made["spec"]["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst")
        // The Job's own defaults come when a Job is made from the template.
        #expect(made["spec"]["jobTemplate"]["spec"]["backoffLimit"].isNull)
        #expect(made["status"].isNull)
        #expect(made["metadata"]["generation"] == 1)
        let changed = try await s.client.patch(.cronJobs, namespace: "default", name: "hello", ["spec": ["suspend": true]])
        #expect(changed["metadata"]["generation"] == 2)
        // Served under its short name too.
        #expect(try await s.client.list(.cronJobs, namespace: "default").items.count == 1)
    }

    @Test func badCronJobsAreRefusedAsKubernetesDoes() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        #expect(await refusal(s, CronJobHarness.cronJob("tz", schedule: "TZ=UTC 0 * * * *")) ==
            "422 CronJob.batch \"tz\" is invalid: spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
        #expect(await refusal(s, CronJobHarness.cronJob("crontz", schedule: "CRON_TZ=Europe/Paris @daily")) ==
            "422 CronJob.batch \"crontz\" is invalid: spec.schedule: Invalid value: \"CRON_TZ=Europe/Paris @daily\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
        #expect(await refusal(s, CronJobHarness.cronJob("fields", schedule: "* * *")) ==
            "422 CronJob.batch \"fields\" is invalid: spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]")
        #expect(await refusal(s, CronJobHarness.cronJob("every", schedule: "@every 5m")) ==
            "422 CronJob.batch \"every\" is invalid: spec.schedule: Invalid value: \"@every 5m\": unrecognized descriptor: @every 5m")
        #expect(await refusal(s, CronJobHarness.cronJob("range", schedule: "0 24 * * *")) ==
            "422 CronJob.batch \"range\" is invalid: spec.schedule: Invalid value: \"0 24 * * *\": end of range (24) above maximum (23): 24")
        #expect(await refusal(s, CronJobHarness.cronJob("empty", schedule: "")) ==
            "422 CronJob.batch \"empty\" is invalid: spec.schedule: Required value")
        #expect(await refusal(s, CronJobHarness.cronJob("zone", ["timeZone": "Mars/Olympus"])) ==
            "422 CronJob.batch \"zone\" is invalid: spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus")
        #expect(await refusal(s, CronJobHarness.cronJob("local", ["timeZone": "Local"])) ==
            "422 CronJob.batch \"local\" is invalid: spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones")
        #expect(await refusal(s, CronJobHarness.cronJob("limits", ["concurrencyPolicy": "Sometimes", "startingDeadlineSeconds": -1, "failedJobsHistoryLimit": -2])) ==
            "422 CronJob.batch \"limits\" is invalid: [spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0, spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\", spec.failedJobsHistoryLimit: Invalid value: -2: must be greater than or equal to 0]")
        // The template is judged as a Job's.
        var always = CronJobHarness.cronJob("always")
        always[path: ["spec", "jobTemplate", "spec", "template", "spec", "restartPolicy"]] = "Always"
        always[path: ["spec", "jobTemplate", "spec", "backoffLimit"]] = -1
        #expect(await refusal(s, always) ==
            "422 CronJob.batch \"always\" is invalid: [spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\", spec.jobTemplate.spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0]")
        let long = String(repeating: "a", count: 53)
        #expect(await refusal(s, CronJobHarness.cronJob(long)) ==
            "422 CronJob.batch \"\(long)\" is invalid: metadata.name: Invalid value: \"\(long)\": must be no more than 52 characters")
        // 52 characters and a named zone are fine.
        #expect(await refusal(s, CronJobHarness.cronJob(String(repeating: "b", count: 52), ["timeZone": "America/New_York"])) == "accepted")
        #expect(try await s.client.list(.cronJobs, namespace: "default").items.count == 1)
    }
}
