import Foundation
import Testing
import Wire

/// Pods run for real: an apiserver and a kubelet as separate processes, containers as host
/// processes (the `host` runtime).
@Suite(.serialized) struct PodLifecycleTests {
    static func pod(_ name: String, command: [String], restartPolicy: String = "Always", extra: (inout JSON) -> Void = { _ in }) -> JSON {
        var p: JSON = [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)],
            "spec": ["restartPolicy": .string(restartPolicy),
                     "containers": [["name": "app", "image": "busybox", "command": .array(command.map { .string($0) })]]],
        ]
        extra(&p)
        return p
    }

    @Test func podRunsWritesItsLogAndIsGoneWithItsProcessesAfterDelete() async throws {
        try await PodCluster.run { c in
            let created = try await c.create(Self.pod("hello", command: ["sh", "-c", "echo hello from $(POD); echo $HOSTNAME; exec sleep 300"]) { p in
                p[path: ["spec", "containers"]] = [["name": "app", "image": "busybox",
                                                     "command": ["sh", "-c", "echo hello from $(POD); echo $HOSTNAME; exec sleep 300"],
                                                     "env": [["name": "POD", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]]]]]
            })
            let uid = created["metadata"]["uid"].stringValue ?? ""
            let p = try await c.waitFor("hello", 15, "Running") { $0["status"]["phase"] == "Running" }
            let s = p["status"]
            // The kubelet negotiated the CRI API version with its runtime at start.
            #expect(c.kubeletLog.contains("runtime=host://0.1.0"), "\(c.kubeletLog.prefix(2000))")
            #expect(c.kubeletLog.contains("criAPI=v1"))
            #expect(s["qosClass"] == "BestEffort")
            #expect(s["hostIP"].stringValue != nil && s["podIP"] == s["hostIP"])
            #expect(s["hostIPs"] == .array([["ip": s["hostIP"]]]))
            #expect(s["startTime"].stringValue != nil)
            let conditions = (s["conditions"].arrayValue ?? []).map { "\($0["type"].stringValue ?? "")=\($0["status"].stringValue ?? "")" }
            #expect(conditions == ["Initialized=True", "Ready=True", "ContainersReady=True", "PodScheduled=True"])
            let cs = s["containerStatuses"].at(0)
            #expect(cs["name"] == "app" && cs["ready"] == true && cs["started"] == true && cs["restartCount"] == 0)
            #expect(cs["image"] == "busybox" && cs["state"]["running"]["startedAt"].stringValue != nil)
            #expect(cs["containerID"].stringValue?.hasPrefix("host://") == true)
            // The log file under the kubelet's root dir, in the CRI format.
            let logPath = "\(c.rootDir)/pods/default_hello_\(uid)/app/0.log"
            try await eventually(5, "two log lines") {
                ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").count == 2
            }
            let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
            #expect(lines[0].hasSuffix(" stdout F hello from hello"))
            #expect(lines[1].hasSuffix(" stdout F hello"))
            // ctl logs reaches the pod workers' runtime through the hub.
            #expect(try c.ctl.ok(["logs", "hello"]) == "hello from hello\nhello\n")
            let events = try await c.events(of: "hello")
            #expect(events.contains("Created: Created container app"))
            #expect(events.contains("Started: Started container app"))
            // exec through the hub into the kubelet's container: stdin in, its hostname, exit codes out.
            let echoed = try c.ctl.run(["exec", "-i", "hello", "--", "sh", "-c", "cat; echo \" from $(hostname)\""], stdin: "piped")
            #expect(echoed.code == 0 && echoed.stdout == "piped from hello\n")
            let failing = try c.ctl.run(["exec", "hello", "--", "sh", "-c", "exit 3"])
            #expect(failing.code == 3 && failing.stderr == "command terminated with exit code 3\n")
            // The pod's cgroup exists while it runs (root: cgroups), and goes with it.
            let podCgroup = "/sys/fs/cgroup/memory/skiff/node1/pod\(uid)"
            if getuid() == 0 { #expect(FileManager.default.fileExists(atPath: podCgroup)) }
            // Delete: the process is gone, and so is the object.
            let pids = c.containerPIDs()
            #expect(pids.count == 1 && pids.allSatisfy(processAlive))
            _ = try c.ctl.ok(["delete", "pod", "hello"])
            try await eventually(15, "pod object gone") { try await c.client.getIfPresent(.pods, namespace: "default", name: "hello") == nil }
            try await eventually(10, "container process gone") { !pids.contains(where: processAlive) }
            try await eventually(5, "log dir removed") { !FileManager.default.fileExists(atPath: "\(c.rootDir)/pods/default_hello_\(uid)") }
            try await eventually(5, "pod cgroup removed") { !FileManager.default.fileExists(atPath: podCgroup) }
        }
    }

    /// `commands.yaml`: printenv HOSTNAME KUBERNETES_PORT prints the hostname and exits 1 (no
    /// services yet), restarted under OnFailure with back-off.
    @Test func commandsManifestExitsOneAndRestartsWithBackOff() async throws {
        try await PodCluster.run { c in
            _ = try c.ctl.ok(["apply", "-f", manifestsDir + "/pods/commands.yaml"])
            let p = try await c.waitFor("command-demo", 15, "CrashLoopBackOff after a restart") {
                $0["status"]["containerStatuses"].at(0)["state"]["waiting"]["reason"] == "CrashLoopBackOff"
            }
            let uid = p["metadata"]["uid"].stringValue ?? ""
            let cs = p["status"]["containerStatuses"].at(0)
            #expect(cs["restartCount"] == 1)
            #expect(cs["state"]["waiting"]["message"] == .string("back-off 10s restarting failed container=command-demo-container pod=command-demo_default(\(uid))"))
            #expect(cs["lastState"]["terminated"]["exitCode"] == 1 && cs["lastState"]["terminated"]["reason"] == "Error")
            #expect(p["status"]["phase"] == "Running")
            let log = try String(contentsOfFile: "\(c.rootDir)/pods/default_command-demo_\(uid)/command-demo-container/0.log", encoding: .utf8)
            #expect(log.hasSuffix(" stdout F command-demo\n"))
            let events = try await c.events(of: "command-demo")
            #expect(events.contains("BackOff: Back-off restarting failed container command-demo-container in pod command-demo_default(\(uid))"))
            // After the 10 s back-off: the second restart.
            try await c.waitFor("command-demo", 15, "restartCount 2") { $0["status"]["containerStatuses"].at(0)["restartCount"] == 2 }
        }
    }

    @Test func missingExecutableEndsInStartErrorAndAnEvent() async throws {
        try await PodCluster.run { c in
            _ = try await c.create(Self.pod("nobin", command: ["no-such-program-skiff"], restartPolicy: "Never"))
            let p = try await c.waitFor("nobin", 15, "Failed") { $0["status"]["phase"] == "Failed" }
            let t = p["status"]["containerStatuses"].at(0)["state"]["terminated"]
            #expect(t["reason"] == "StartError" && t["exitCode"] == 128)
            #expect(t["message"] == #"exec: "no-such-program-skiff": executable file not found in $PATH"#)
            let events = try await c.events(of: "nobin")
            #expect(events.contains(#"Failed: Error: exec: "no-such-program-skiff": executable file not found in $PATH"#))
        }
    }

    /// A pod bound by name to a node it does not fit is refused by the kubelet.
    @Test func podBoundPastTheSchedulerThatDoesNotFitIsRejected() async throws {
        try await PodCluster.run(kubeletArgs: ["--max-pods", "1"]) { c in
            _ = try await c.create(Self.pod("first", command: ["sleep", "300"]) { $0[path: ["spec", "nodeName"]] = "node1" })
            try await c.waitFor("first", 15, "Running") { $0["status"]["phase"] == "Running" }
            _ = try await c.create(Self.pod("second", command: ["sleep", "300"]) { $0[path: ["spec", "nodeName"]] = "node1" })
            let p = try await c.waitFor("second", 15, "Failed") { $0["status"]["phase"] == "Failed" }
            #expect(p["status"]["reason"] == "OutOfpods")
            #expect(p["status"]["message"] == "Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 1, capacity: 1")
            let n = try await c.client.get(.nodes, name: "node1")
            #expect(n["status"]["capacity"]["pods"] == "1" && n["status"]["allocatable"]["pods"] == "1")
        }
    }

    /// kill -9 the kubelet while a pod runs: the next kubelet adopts the running process
    /// (no second copy), and deleting the pod still ends it.
    @Test func aRestartedKubeletAdoptsRunningContainersAndStillKillsThemOnDelete() async throws {
        try await PodCluster.run { c in
            _ = try await c.create(Self.pod("survivor", command: ["sleep", "300"]))
            let before = try await c.waitFor("survivor", 15, "Running") { $0["status"]["phase"] == "Running" }
            let pids = c.containerPIDs()
            #expect(pids.count == 1)
            try c.restartKubeletAfterKill9()
            // The new kubelet syncs and reports the same container, still running, once.
            try await Task.sleep(for: .seconds(2))
            let after = try await c.pod("survivor")
            #expect(after["status"]["containerStatuses"].at(0)["containerID"] == before["status"]["containerStatuses"].at(0)["containerID"])
            #expect(after["status"]["containerStatuses"].at(0)["restartCount"] == 0 && after["status"]["phase"] == "Running")
            #expect(c.containerPIDs() == pids && pids.allSatisfy(processAlive))
            _ = try c.ctl.ok(["delete", "pod", "survivor"])
            try await eventually(10, "adopted process gone") { !pids.contains(where: processAlive) }
            try await eventually(10, "pod object gone") { try await c.client.getIfPresent(.pods, namespace: "default", name: "survivor") == nil }
            try await eventually(10, "sandbox and its holder gone") { c.sandboxRecords().isEmpty && c.holderPIDs().isEmpty }
        }
    }

    /// The apiserver goes away while a pod runs: the pod goes on, and its final status is
    /// written once the apiserver is back.
    @Test func podsKeepRunningThroughAnApiserverOutageAndStatusCatchesUp() async throws {
        try await PodCluster.run { c in
            let marker = c.fixture.dir.path + "/outage-marker"
            _ = try await c.create(Self.pod("steady", command: ["sh", "-c", "sleep 2; echo done > \(marker)"], restartPolicy: "Never"))
            try await c.waitFor("steady", 15, "Running") { $0["status"]["phase"] == "Running" }
            c.fixture.server.stop()
            try await eventually(10, "the container finished during the outage") { FileManager.default.fileExists(atPath: marker) }
            try c.fixture.server.restart()
            let p = try await c.waitFor("steady", 15, "Succeeded") { $0["status"]["phase"] == "Succeeded" }
            #expect(p["status"]["containerStatuses"].at(0)["state"]["terminated"]["reason"] == "Completed")
            #expect(p["status"]["containerStatuses"].at(0)["state"]["terminated"]["exitCode"] == 0)
        }
    }

    /// The kubelet reads the ConfigMaps and Secrets its pods name (one at a time, as the node
    /// authorizer allows); a missing one keeps the container waiting until it exists.
    @Test func environmentFromConfigMapsAndSecretsThroughTheNodeAuthorizer() async throws {
        try await PodCluster.run { c in
            _ = try await c.client.create(.secrets, namespace: "default", ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds"],
                                                                          "data": ["password": "czNjcmV0"]])
            let created = try await c.create(Self.pod("envy", command: ["sh", "-c", "echo $(GREETING) $PASSWORD; exec sleep 300"]) { p in
                p[path: ["spec", "containers"]] = [["name": "app", "image": "busybox", "command": ["sh", "-c", "echo $(GREETING) $PASSWORD; exec sleep 300"],
                                                     "env": [["name": "GREETING", "valueFrom": ["configMapKeyRef": ["name": "settings", "key": "greeting"]]],
                                                             ["name": "PASSWORD", "valueFrom": ["secretKeyRef": ["name": "creds", "key": "password"]]]]]]
            })
            let uid = created["metadata"]["uid"].stringValue ?? ""
            let waiting = try await c.waitFor("envy", 15, "CreateContainerConfigError") {
                $0["status"]["containerStatuses"].at(0)["state"]["waiting"]["reason"] == "CreateContainerConfigError"
            }
            #expect(waiting["status"]["containerStatuses"].at(0)["state"]["waiting"]["message"] == #"configmap "settings" not found"#)
            #expect(waiting["status"]["phase"] == "Pending")
            _ = try await c.client.create(.configMaps, namespace: "default", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings"],
                                                                             "data": ["greeting": "hello"]])
            try await c.waitFor("envy", 15, "Running") { $0["status"]["phase"] == "Running" }
            let log = "\(c.rootDir)/pods/default_envy_\(uid)/app/0.log"
            try await eventually(5, "the log line") { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").hasSuffix(" stdout F hello s3cret\n") }
            #expect(try await c.events(of: "envy").contains(#"Failed: Error: configmap "settings" not found"#))
        }
    }

    /// `dapi-envars-container.yaml` prints its four resource values (cpu rounded up to whole
    /// cores, memory in bytes); `envars.yaml` names an image and no command, and waits with
    /// the host runtime's reason until images land.
    @Test func manifestsPrintResourceFieldsOrWaitForACommand() async throws {
        try await PodCluster.run { c in
            _ = try c.ctl.ok(["apply", "-f", manifestsDir + "/pods/inject/dapi-envars-container.yaml"])
            _ = try c.ctl.ok(["apply", "-f", manifestsDir + "/pods/inject/envars.yaml"])
            let p = try await c.waitFor("dapi-envars-resourcefieldref", 15, "Running") { $0["status"]["phase"] == "Running" }
            #expect(p["status"]["qosClass"] == "Burstable")
            let uid = p["metadata"]["uid"].stringValue ?? ""
            let log = "\(c.rootDir)/pods/default_dapi-envars-resourcefieldref_\(uid)/test-container/0.log"
            try await eventually(5, "four values") {
                let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map { String($0.split(separator: " ", maxSplits: 3).last ?? "") }
                return lines.suffix(4) == ["1", "1", "33554432", "67108864"]
            }
            let waiting = try await c.waitFor("envar-demo", 15, "waiting for a command") {
                $0["status"]["containerStatuses"].at(0)["state"]["waiting"]["reason"] == "CreateContainerConfigError"
            }
            let message = #"container envar-demo-container has no command: the host runtime runs no image entrypoint (image "gcr.io/google-samples/hello-app:2.0" is not pulled until images land); set command"#
            #expect(waiting["status"]["containerStatuses"].at(0)["state"]["waiting"]["message"] == .string(message))
            #expect(waiting["status"]["phase"] == "Pending")
            #expect(try await c.events(of: "envar-demo").contains("Failed: Error: " + message))
        }
    }

    /// postStart writes a file before the container counts as Running (the pod is Pending
    /// and the container waiting while the hook runs).
    @Test func postStartFinishesBeforeThePodIsRunning() async throws {
        try await PodCluster.run { c in
            let marker = c.fixture.dir.path + "/poststart-marker"
            _ = try await c.create(Self.pod("hooked", command: ["sleep", "300"]) { p in
                p[path: ["spec", "containers"]] = [["name": "app", "image": "busybox", "command": ["sleep", "300"],
                                                     "lifecycle": ["postStart": ["exec": ["command": ["sh", "-c", .string("sleep 1; echo hook > \(marker)")]]]]]]
            })
            var sawWaiting = false
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                let p = try await c.pod("hooked")
                if p["status"]["containerStatuses"].at(0)["state"]["waiting"]["reason"] == "ContainerCreating",
                   p["status"]["containerStatuses"].at(0)["containerID"].stringValue != nil {
                    sawWaiting = true
                    #expect(p["status"]["phase"] == "Pending")
                }
                if p["status"]["phase"] == "Running" {
                    #expect(FileManager.default.fileExists(atPath: marker))
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(sawWaiting)
            #expect(try await c.pod("hooked")["status"]["phase"] == "Running")
        }
    }

    /// Graceful deletion end to end: preStop runs before SIGTERM, a process that ignores
    /// SIGTERM is killed when the grace period ends, then the kubelet removes the object.
    @Test func gracefulDeleteRunsPreStopThenTermThenKillsAtTheEndOfTheGracePeriod() async throws {
        try await PodCluster.run { c in
            let file = c.fixture.dir.path + "/order"
            _ = try await c.create(Self.pod("graceful", command: []) { p in
                p[path: ["spec", "containers"]] = [["name": "app", "image": "busybox",
                                                     "command": ["sh", "-c", .string("trap 'echo term >> \(file)' TERM; while :; do sleep 0.05; done")],
                                                     "lifecycle": ["preStop": ["exec": ["command": ["sh", "-c", .string("echo prestop >> \(file)")]]]]]]
            })
            try await c.waitFor("graceful", 15, "Running") { $0["status"]["phase"] == "Running" }
            let pids = c.containerPIDs()
            let began = Date()
            _ = try c.ctl.ok(["delete", "pod", "graceful", "--grace-period=2"])
            try await eventually(15, "pod object gone") { try await c.client.getIfPresent(.pods, namespace: "default", name: "graceful") == nil }
            let took = Date().timeIntervalSince(began)
            #expect(took >= 2 && took < 8)
            #expect(try String(contentsOfFile: file, encoding: .utf8) == "prestop\nterm\n")
            #expect(!pids.contains(where: processAlive))
            let events = try await c.events(of: "graceful")
            #expect(events.contains("Killing: Stopping container app"))
        }
    }
}
