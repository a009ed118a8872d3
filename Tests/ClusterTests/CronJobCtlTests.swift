import Foundation
import Testing
import Wire
@testable import ctl

/// `ctl create cronjob`, `ctl get cronjobs` with kubectl's columns, and `ctl create job
/// --from=cronjob/NAME` as kubectl's, against a real apiserver.
@Suite(.serialized) struct CronJobCtlTests {
    @Test func columnsWithActiveJobsAndALastSchedule() {
        let now = Timestamp.parse("2026-11-30T10:05:00Z")!
        let cj: JSON = ["metadata": ["name": "hello"],
                        "spec": ["schedule": "*/5 * * * *", "timeZone": "Asia/Tokyo",
                                 "jobTemplate": ["spec": ["template": ["spec": ["containers": [["name": "a", "image": "busybox"], ["name": "b", "image": "alpine"]]]]]]],
                        "status": ["active": [["name": "hello-1"], ["name": "hello-2"]], "lastScheduleTime": "2026-11-30T10:00:00Z"]]
        #expect(CronJobColumns.row(cj, name: "hello", age: "3h", wide: true, now: now) ==
            ["hello", "*/5 * * * *", "Asia/Tokyo", "<unset>", "2", "5m", "3h", "a,b", "busybox,alpine", "<none>"])
    }

    @Test func createGetAndInstantiateACronJob() throws {
        let f = try Fixture()
        defer { f.close() }
        // Once a year: the hub's cronjob controller makes no Job during the test.
        #expect(try f.ctl.ok(["create", "cronjob", "hello", "--image=busybox", "--schedule=0 0 1 1 *", "--", "date"]) == "cronjob.batch/hello created\n")
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: report}
            spec:
              schedule: "@daily"
              timeZone: Europe/Paris
              suspend: true
              jobTemplate:
                metadata:
                  labels: {app: report}
                  annotations: {team: ops}
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: r, image: "alpine:3.20", command: [date]}]
            """)
        #expect(CtlGetOutputTests.maskAges(try f.ctl.ok(["get", "cronjobs"])) == """
            NAME     SCHEDULE    TIMEZONE       SUSPEND   ACTIVE   LAST SCHEDULE   AGE
            hello    0 0 1 1 *   <none>         False     0        <none>          0s
            report   @daily      Europe/Paris   True      0        <none>          0s

            """)
        #expect(CtlGetOutputTests.maskAges(try f.ctl.ok(["get", "cj", "report", "-o", "wide"])) == """
            NAME     SCHEDULE   TIMEZONE       SUSPEND   ACTIVE   LAST SCHEDULE   AGE   CONTAINERS   IMAGES        SELECTOR
            report   @daily     Europe/Paris   True      0        <none>          0s    r            alpine:3.20   <none>

            """)
        let cj = try JSON.parse(try f.ctl.ok(["get", "cronjob", "hello", "-o", "json"]))
        #expect(cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure")
        #expect(cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"].arrayValue?.first?["command"] == ["date"])

        #expect(try f.ctl.ok(["create", "job", "report-now", "--from=cronjob/report"]) == "job.batch/report-now created\n")
        let job = try JSON.parse(try f.ctl.ok(["get", "job", "report-now", "-o", "json"]))
        let owner = try JSON.parse(try f.ctl.ok(["get", "cronjob", "report", "-o", "json"]))
        #expect(job["metadata"]["annotations"] == ["cronjob.kubernetes.io/instantiate": "manual", "team": "ops"])
        #expect(job["metadata"]["labels"] == ["app": "report"])
        #expect(job["metadata"]["ownerReferences"] == [["apiVersion": "batch/v1", "kind": "CronJob", "name": "report",
                                                        "uid": owner["metadata"]["uid"], "controller": true]])
        #expect(job["spec"]["template"]["spec"]["containers"].arrayValue?.first?["image"] == "alpine:3.20")
        #expect(job["spec"]["backoffLimit"] == 6)

        let missing = try f.ctl.run(["create", "job", "x", "--from=cronjob/nope"])
        #expect(missing.code == 1 && missing.stderr == "Error from server (NotFound): cronjobs.batch \"nope\" not found\n")
        let both = try f.ctl.run(["create", "job", "x", "--from=cronjob/report", "--image=busybox"])
        #expect(both.code == 1 && both.stderr == "error: either --image or --from must be specified\n")
        let noSchedule = try f.ctl.run(["create", "cronjob", "x", "--image=busybox"])
        #expect(noSchedule.code == 1 && noSchedule.stderr == "error: --schedule must be specified\n")
        let tz = try f.ctl.run(["create", "cronjob", "x", "--image=busybox", "--schedule=TZ=UTC 0 * * * *"])
        #expect(tz.code == 1 && tz.stderr == "The CronJob \"x\" is invalid: spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead\n")
        // `get all` lists CronJobs among the batch kinds.
        #expect(try f.ctl.ok(["get", "all"]).contains("\ncronjob.batch/report   @daily      Europe/Paris   True      0        <none>  "))
    }
}
