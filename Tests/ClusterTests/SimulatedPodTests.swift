import Foundation
import Testing
import Wire

/// `kubelet simulate` runs the pods bound to its nodes without processes (as kwok does):
/// a real apiserver and scheduler, a real `kubelet simulate` process.
@Suite(.serialized)
struct SimulatedPodTests {
    /// A `kubelet simulate` process whose stdout goes to a file in the fixture's dir.
    final class Simulator {
        let process = Process()
        let outPath: String

        init(_ f: Fixture, nodes: Int, extra: [String] = []) throws {
            outPath = f.dir.path + "/simulate.out"
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: Binaries.path("kubelet"))
            process.arguments = ["simulate", "--nodes", String(nodes), "--server", f.server.address.description, "--token", f.server.nodeToken,
                                 "--ramp-up", "0s", "--report-interval", "500ms", "--duration", "60s"] + extra
            process.standardOutput = FileHandle(forWritingAtPath: outPath)
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
        }

        /// The last `pods t=...` report line's counters.
        func lastPodsReport() -> String {
            let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("pods t=") }) else { return "" }
            return line.split(separator: " ").dropFirst(2).joined(separator: " ")
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    static func pod(_ name: String, annotations: [String: String] = [:]) -> JSON {
        var meta: JSON = ["name": .string(name), "namespace": "default"]
        for (k, v) in annotations { meta[path: ["annotations", k]] = .string(v) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": meta,
                "spec": ["containers": [["name": "c", "image": "nginx", "resources": ["requests": ["cpu": "100m"]]]]]]
    }

    static func waitForNodes(_ admin: Client, _ n: Int) async throws {
        try await eventually(15, "\(n) Ready simulated nodes") {
            let nodes = try await admin.list(.nodes).items
            return nodes.count == n && nodes.allSatisfy { readyStatus($0) == "True" }
        }
    }

    /// The status with its times removed (they are checked for presence separately).
    static func timeless(_ status: JSON) -> JSON {
        var st = status
        var conds = st["conditions"].arrayValue ?? []
        for i in conds.indices {
            #expect(conds[i]["lastTransitionTime"].stringValue != nil)
            conds[i]["lastTransitionTime"] = "<time>"
        }
        st["conditions"] = .array(conds)
        var cs = st["containerStatuses"].arrayValue ?? []
        for i in cs.indices {
            for state in ["running", "terminated"] where !cs[i]["state"][state].isNull {
                #expect(cs[i]["state"][state]["startedAt"].stringValue != nil)
                cs[i][path: ["state", state, "startedAt"]] = "<time>"
                if state == "terminated" {
                    #expect(cs[i]["state"][state]["finishedAt"].stringValue != nil)
                    cs[i][path: ["state", state, "finishedAt"]] = "<time>"
                }
            }
        }
        st["containerStatuses"] = .array(cs)
        #expect(st["startTime"].stringValue != nil)
        st["startTime"] = "<time>"
        return st
    }

    @Test func podsRunFinishAndGoOnSimulatedNodes() async throws {
        let f = try Fixture()
        defer { f.close() }
        let sim = try Simulator(f, nodes: 3)
        defer { sim.stop() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await Self.waitForNodes(admin, 3)

        let names = (1...6).map { "web-\($0)" }
        for n in names { _ = try await admin.create(.pods, Self.pod(n)) }
        _ = try await admin.create(.pods, Self.pod("job-ok", annotations: ["skiff.io/simulate-phase": "Succeeded"]))
        _ = try await admin.create(.pods, Self.pod("job-bad", annotations: ["skiff.io/simulate-phase": "Failed", "skiff.io/simulate-after": "1s"]))

        try await eventually(15, "six Running pods") {
            try await admin.list(.pods, namespace: "default").items.filter { $0["status"]["phase"] == "Running" }.count == 6
        }
        var hosts: [String: Int] = [:]
        for n in names {
            let p = try await admin.get(.pods, namespace: "default", name: n)
            let node = p["spec"]["nodeName"].stringValue ?? ""
            hosts[node, default: 0] += 1
            let index = Int(node.dropFirst("sim-".count)) ?? -1
            let uid = p["metadata"]["uid"].stringValue ?? ""
            let podIP = p["status"]["podIP"].stringValue ?? ""
            #expect(podIP.hasPrefix("10.0.\(index).") && ["1", "2"].contains(podIP.split(separator: ".").last.map(String.init)))
            let expected: JSON = [
                "phase": "Running", "qosClass": "Burstable", "hostIP": .string("172.16.0.\(index + 1)"), "hostIPs": [["ip": .string("172.16.0.\(index + 1)")]],
                "podIP": .string(podIP), "podIPs": [["ip": .string(podIP)]], "startTime": "<time>",
                "conditions": [
                    ["type": "PodScheduled", "status": "True", "lastTransitionTime": "<time>"],
                    ["type": "Initialized", "status": "True", "lastTransitionTime": "<time>"],
                    ["type": "ContainersReady", "status": "True", "lastTransitionTime": "<time>"],
                    ["type": "Ready", "status": "True", "lastTransitionTime": "<time>"],
                ],
                "containerStatuses": [[
                    "name": "c", "state": ["running": ["startedAt": "<time>"]], "ready": true, "started": true, "restartCount": 0,
                    "image": "nginx", "imageID": "simulated://nginx", "containerID": .string("simulated://\(uid)/c"),
                ]],
            ]
            #expect(Self.timeless(p["status"]) == expected, "\(n)")
        }
        // The scheduler spreads them: two per node.
        #expect(hosts == ["sim-0": 2, "sim-1": 2, "sim-2": 2])

        // The annotation ends them with the literal exit code and reason.
        try await eventually(10, "job-ok Succeeded and job-bad Failed") {
            let ok = try await admin.get(.pods, namespace: "default", name: "job-ok")["status"]["phase"]
            let bad = try await admin.get(.pods, namespace: "default", name: "job-bad")["status"]["phase"]
            return ok == "Succeeded" && bad == "Failed"
        }
        for (name, code, reason): (String, Int, String) in [("job-ok", 0, "Completed"), ("job-bad", 1, "Error")] {
            let st = try await admin.get(.pods, namespace: "default", name: name)["status"]
            let c = st["containerStatuses"].arrayValue?.first ?? .null
            #expect(c["state"]["terminated"]["exitCode"].intValue == code && c["state"]["terminated"]["reason"].stringValue == reason, "\(name)")
            #expect(c["ready"] == false && c["started"] == false && c["restartCount"] == 0)
            let conds = (st["conditions"].arrayValue ?? []).map { "\($0["type"].stringValue ?? "")=\($0["status"].stringValue ?? "")/\($0["reason"].stringValue ?? "")" }
            #expect(conds == ["PodScheduled=True/", "Initialized=True/", "ContainersReady=False/PodCompleted", "Ready=False/PodCompleted"])
        }
        #expect(try f.ctl.ok(["get", "pod", "job-ok", "job-bad", "--no-headers"]).split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true)[2] }
                == ["Completed", "Error"])

        // A pod reported Running is not written again.
        let before = try await admin.list(.pods, namespace: "default").items.map { $0["metadata"]["resourceVersion"] }
        try await Task.sleep(for: .seconds(1.5))
        #expect(try await admin.list(.pods, namespace: "default").items.map { $0["metadata"]["resourceVersion"] } == before)

        // Delete: gone (at once today; through the simulated node's finalization with
        // graceful deletion).
        try await admin.delete(.pods, namespace: "default", name: "web-1")
        try await eventually(10, "web-1 gone") { try await admin.getIfPresent(.pods, namespace: "default", name: "web-1") == nil }

        // One pod watch for the whole process, however many nodes.
        try await eventually(5, "the report") { sim.lastPodsReport().hasPrefix("running=8 finished=2 ") }
        #expect(sim.lastPodsReport().hasSuffix(" pod_watches=1"), "\(sim.lastPodsReport())")
    }

    /// Graceful deletion as the simulated node sees it: a pod marked for deletion (here held
    /// by a finalizer, which marks it as graceful deletion will) has its containers ended and
    /// is deleted by its node with grace 0 and its uid.
    @Test func podMarkedForDeletionIsFinalizedByItsNode() async throws {
        let f = try Fixture()
        defer { f.close() }
        let sim = try Simulator(f, nodes: 1)
        defer { sim.stop() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await Self.waitForNodes(admin, 1)
        var pod = Self.pod("held")
        pod[path: ["metadata", "finalizers"]] = ["skiff.io/test-hold"]
        _ = try await admin.create(.pods, pod)
        try await eventually(10, "held Running") { try await admin.get(.pods, namespace: "default", name: "held")["status"]["phase"] == "Running" }
        try await admin.delete(.pods, namespace: "default", name: "held")
        try await eventually(10, "held finalized") { sim.lastPodsReport() == "running=1 finished=0 finalized=1 pod_watches=1" }
        let p = try await admin.get(.pods, namespace: "default", name: "held")
        #expect(p["metadata"]["deletionTimestamp"].stringValue != nil)
        #expect(p["status"]["phase"] == "Succeeded")
        let c = p["status"]["containerStatuses"].arrayValue?.first ?? .null
        #expect(c["state"]["terminated"]["exitCode"].intValue == 0 && c["state"]["terminated"]["reason"] == "Completed")
        _ = try await admin.patch(.pods, namespace: "default", name: "held", ["metadata": ["finalizers": .null]])
        try await eventually(10, "held gone") { try await admin.getIfPresent(.pods, namespace: "default", name: "held") == nil }
        // Finalized once: the changes after it are not acted on again.
        try await Task.sleep(for: .seconds(1))
        #expect(sim.lastPodsReport() == "running=1 finished=0 finalized=1 pod_watches=1")
    }

    @Test func simulatePodsFalseLeavesPodsAlone() async throws {
        let f = try Fixture()
        defer { f.close() }
        let sim = try Simulator(f, nodes: 1, extra: ["--simulate-pods=false"])
        defer { sim.stop() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await Self.waitForNodes(admin, 1)
        _ = try await admin.create(.pods, Self.pod("idle"))
        try await eventually(10, "idle bound") { try await admin.get(.pods, namespace: "default", name: "idle")["spec"]["nodeName"] == "sim-0" }
        try await Task.sleep(for: .seconds(1))
        #expect(try await admin.get(.pods, namespace: "default", name: "idle")["status"]["phase"] == "Pending")
        #expect(sim.lastPodsReport() == "")
    }
}
