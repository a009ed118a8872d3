import Testing
import Wire
@testable import ctl

/// `ctl get jobs` columns as kubectl 1.32's printJob prints the same objects.
@Suite struct JobPrinterTests {
    func job(completions: Int?, parallelism: Int, status: JSON, deleting: Bool = false) -> JSON {
        var spec: JSON = ["parallelism": .int(parallelism),
                          "selector": ["matchLabels": ["batch.kubernetes.io/controller-uid": "0f1e"],
                                       "matchExpressions": [["key": "tier", "operator": "In", "values": ["b", "a"]], ["key": "canary", "operator": "DoesNotExist"]]],
                          "template": ["spec": ["containers": [["name": "pi", "image": "perl"], ["name": "log", "image": "busybox:1.36"]]]]]
        if let completions { spec["completions"] = .int(completions) }
        var j: JSON = ["metadata": ["name": "pi"], "spec": spec, "status": status]
        if deleting { j[path: ["metadata", "deletionTimestamp"]] = "2026-11-30T10:00:00Z" }
        return j
    }

    func conditions(_ types: [String]) -> JSON {
        .array(types.map { ["type": .string($0), "status": "True"] })
    }

    @Test func columnsAsKubectl() {
        let now = Timestamp.parse("2026-11-30T10:05:00Z")!
        let running = job(completions: 3, parallelism: 2, status: ["startTime": "2026-11-30T10:00:00Z", "succeeded": 1, "active": 2])
        #expect(JobColumns.row(running, name: "pi", age: "5m", wide: false, now: now) == ["pi", "Running", "1/3", "5m", "5m"])
        let done = job(completions: 3, parallelism: 2, status: ["startTime": "2026-11-30T10:00:00Z", "completionTime": "2026-11-30T10:00:42Z",
                                                                 "succeeded": 3, "conditions": conditions(["SuccessCriteriaMet", "Complete"])])
        #expect(JobColumns.row(done, name: "pi", age: "5m", wide: true, now: now) ==
            ["pi", "Complete", "3/3", "42s", "5m", "pi,log", "perl,busybox:1.36", "batch.kubernetes.io/controller-uid=0f1e,!canary,tier in (a,b)"])
        let queue = job(completions: nil, parallelism: 4, status: [:])
        #expect(JobColumns.row(queue, name: "pi", age: "1s", wide: false, now: now) == ["pi", "Running", "0/1 of 4", "", "1s"])
        #expect(JobColumns.row(job(completions: nil, parallelism: 1, status: [:]), name: "pi", age: "1s", wide: false, now: now)[2] == "0/1")
        #expect(JobColumns.state(job(completions: 1, parallelism: 1, status: ["conditions": conditions(["FailureTarget", "Failed"])])) == "Failed")
        #expect(JobColumns.state(job(completions: 1, parallelism: 1, status: ["conditions": conditions(["FailureTarget"])])) == "FailureTarget")
        #expect(JobColumns.state(job(completions: 1, parallelism: 1, status: ["conditions": conditions(["Suspended"])])) == "Suspended")
        #expect(JobColumns.state(job(completions: 1, parallelism: 1, status: ["conditions": conditions(["Suspended"])], deleting: true)) == "Terminating")
        #expect(JobColumns.state(job(completions: 1, parallelism: 1, status: ["conditions": [["type": "Suspended", "status": "False"]]])) == "Running")
        #expect(Columns.header(.jobs, wide: true, namespaceColumn: false) ==
            ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"])
    }
}
