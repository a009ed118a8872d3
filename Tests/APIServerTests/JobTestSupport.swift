import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// A hub without its controller manager, with the Job controller (and TTL controller) run
/// on a fake clock; tests play the kubelet by writing pod phases.
final class JobHarness: @unchecked Sendable {
    let server: InProcessServer
    let clock: FakeClock
    let factory: SharedInformerFactory
    var tasks: [Task<Void, Never>] = []
    let events: EventRecorder

    var client: Client { server.client }

    init() async throws {
        server = try await InProcessServer.start()
        clock = FakeClock(now: Timestamp.nowSeconds())
        factory = SharedInformerFactory(client: server.client, clock: clock)
        events = EventRecorder(client: server.client, component: JobController.component)
    }

    func startJobController() {
        let c = JobController(client: client, logger: .init(label: "test"), events: events, clock: clock)
        let f = factory
        tasks.append(Task { await c.run(factory: f) })
        factory.start()
    }

    func startTTLController() {
        let c = TTLAfterFinishedController(client: client, logger: .init(label: "test"), clock: clock)
        let f = factory
        tasks.append(Task { await c.run(factory: f) })
        factory.start()
    }

    func stop() async {
        for t in tasks { t.cancel() }
        factory.shutDown()
        events.close()
        await server.stop()
    }

    static func job(_ name: String, _ spec: JSON = [:], command: String = "exit 0") -> JSON {
        var s: JSON = ["template": ["spec": ["restartPolicy": "Never",
                                             "containers": [["name": "work", "image": "busybox", "command": ["/bin/sh", "-c", .string(command)]]]]]]
        for (k, v) in spec.objectValue ?? JSONObject() { s[k] = v }
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)], "spec": s]
    }

    func getJob(_ name: String) async throws -> JSON { try await client.get(.jobs, namespace: "default", name: name) }

    /// The Job's pods, oldest first.
    func pods(_ job: String) async throws -> [JSON] {
        try await client.list(.pods, namespace: "default").items
            .filter { $0["metadata"]["ownerReferences"].arrayValue?.first?["name"].stringValue == job }
            .sorted { ($0["metadata"]["name"].stringValue ?? "") < ($1["metadata"]["name"].stringValue ?? "") }
    }

    func activePods(_ job: String) async throws -> [JSON] {
        try await pods(job).filter { p in !["Succeeded", "Failed"].contains(p["status"]["phase"].stringValue ?? "") && p["metadata"]["deletionTimestamp"].isNull }
    }

    /// Plays the kubelet: the pod's phase becomes `phase`.
    func setPhase(_ pod: JSON, _ phase: String) async throws {
        var p = try await client.get(.pods, namespace: "default", name: pod["metadata"]["name"].stringValue ?? "")
        p[path: ["status", "phase"]] = .string(phase)
        _ = try await client.update(.pods, p, status: true)
    }

    /// Plays the kubelet ending a pod: phase Failed, the containers' exit codes (by name;
    /// `initExitCodes` for init containers, `finishedAt` their finish time) and extra pod conditions.
    func fail(_ pod: JSON, exitCodes: [String: Int] = [:], initExitCodes: [String: Int] = [:], finishedAt: Double? = nil,
              conditions: [JSON] = []) async throws {
        var p = try await client.get(.pods, namespace: "default", name: pod["metadata"]["name"].stringValue ?? "")
        func statuses(_ codes: [String: Int]) -> JSON {
            .array(codes.sorted { $0.key < $1.key }.map { name, code in
                var terminated: JSON = ["exitCode": .int(code), "reason": code == 0 ? "Completed" : "Error"]
                if let finishedAt { terminated["finishedAt"] = .string(Timestamp.format(finishedAt)) }
                return ["name": .string(name), "image": "busybox", "imageID": "", "ready": false, "restartCount": 0,
                        "state": ["terminated": terminated]]
            })
        }
        p[path: ["status", "phase"]] = "Failed"
        if !exitCodes.isEmpty { p[path: ["status", "containerStatuses"]] = statuses(exitCodes) }
        if !initExitCodes.isEmpty { p[path: ["status", "initContainerStatuses"]] = statuses(initExitCodes) }
        if !conditions.isEmpty { p[path: ["status", "conditions"]] = .array((p["status"]["conditions"].arrayValue ?? []) + conditions) }
        _ = try await client.update(.pods, p, status: true)
    }

    /// A condition of the Job without its timestamps.
    static func conditions(_ job: JSON) -> [JSON] {
        (job["status"]["conditions"].arrayValue ?? []).map { c in
            var c = c
            c["lastProbeTime"] = .null
            c["lastTransitionTime"] = .null
            return c
        }
    }

    func eventTexts(_ job: String) async throws -> [String] {
        try await client.list(.events, namespace: "default").items
            .filter { $0["involvedObject"]["name"].stringValue == job }
            .sorted { ($0["firstTimestamp"].stringValue ?? "", $0["metadata"]["name"].stringValue ?? "") < ($1["firstTimestamp"].stringValue ?? "", $1["metadata"]["name"].stringValue ?? "") }
            .map { "\($0["type"].stringValue ?? "") \($0["reason"].stringValue ?? ""): \($0["message"].stringValue ?? "")" }
    }
}

/// A status without the fields a test cannot know in advance (times, uids).
func countsOf(_ job: JSON) -> JSON {
    var s = job["status"]
    for f in ["conditions", "startTime", "completionTime"] { s[f] = .null }
    return s
}
