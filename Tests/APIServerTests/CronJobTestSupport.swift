import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// A hub without its controller manager and the cronjob controller on a fake clock. No Job
/// controller runs: the Jobs it makes stay active until a test finishes them.
final class CronJobHarness: @unchecked Sendable {
    let server: InProcessServer
    let clock: FakeClock
    let factory: SharedInformerFactory
    let events: EventRecorder
    let controller: CronJobController
    var task: Task<Void, Never>?

    var client: Client { server.client }

    init() async throws {
        server = try await InProcessServer.start()
        clock = FakeClock(now: Timestamp.nowSeconds())
        factory = SharedInformerFactory(client: server.client, clock: clock)
        events = EventRecorder(client: server.client, component: CronJobController.component)
        controller = CronJobController(client: server.client, logger: .init(label: "test"), events: events, clock: clock)
    }

    func start() {
        let c = controller, f = factory
        task = Task { await c.run(factory: f) }
        factory.start()
    }

    func stop() async {
        task?.cancel()
        factory.shutDown()
        events.close()
        await server.stop()
    }

    static func cronJob(_ name: String, schedule: String = "* * * * *", _ spec: JSON = [:]) -> JSON {
        var s: JSON = ["schedule": .string(schedule), "jobTemplate": ["spec": ["template": ["spec": [
            "restartPolicy": "OnFailure", "containers": [["name": "hello", "image": "busybox", "command": ["date"]]]]]]]]
        for (k, v) in spec.objectValue ?? JSONObject() { s[k] = v }
        return ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": .string(name)], "spec": s]
    }

    /// Creates the CronJob; returns its first scheduled minute (of an every-minute schedule).
    func create(_ cj: JSON) async throws -> Double {
        let made = try await client.create(.cronJobs, namespace: "default", cj)
        let created = Timestamp.parse(made["metadata"]["creationTimestamp"].stringValue ?? "") ?? 0
        return (created / 60).rounded(.down) * 60 + 60
    }

    /// Moves the fake clock to `t` and makes the controller look (an annotation change
    /// queues the CronJob), as its own requeue at that time would.
    func tick(_ name: String, to t: Double) async throws {
        if t > clock.now { clock.advance(by: t - clock.now) }
        _ = try await client.patch(.cronJobs, namespace: "default", name: name, ["metadata": ["annotations": ["tick": .string(String(t))]]])
    }

    func get(_ name: String) async throws -> JSON { try await client.get(.cronJobs, namespace: "default", name: name) }

    /// Names of the Jobs in the namespace, sorted.
    func jobNames() async throws -> [String] {
        try await client.list(.jobs, namespace: "default").items.compactMap { $0["metadata"]["name"].stringValue }.sorted()
    }

    /// Finishes a Job as the Job controller would (Complete or Failed).
    func finish(_ name: String, _ type: String, started: Double, finished: Double) async throws {
        var j = try await client.get(.jobs, namespace: "default", name: name)
        j["status"] = ["startTime": .string(Timestamp.format(started)),
                       "conditions": [["type": .string(type), "status": "True", "lastTransitionTime": .string(Timestamp.format(finished))]]]
        if type == "Complete" { j[path: ["status", "completionTime"]] = .string(Timestamp.format(finished)) }
        _ = try await client.update(.jobs, j, status: true)
    }

    func eventTexts(_ name: String) async throws -> [String] {
        try await client.list(.events, namespace: "default").items
            .filter { $0["involvedObject"]["name"].stringValue == name }
            // In the order written (the recorder posts them in order; none is updated here).
            .sorted { Int($0["metadata"]["resourceVersion"].stringValue ?? "") ?? 0 < Int($1["metadata"]["resourceVersion"].stringValue ?? "") ?? 0 }
            .map { "\($0["type"].stringValue ?? "") \($0["reason"].stringValue ?? ""): \($0["message"].stringValue ?? "")" }
    }
}
