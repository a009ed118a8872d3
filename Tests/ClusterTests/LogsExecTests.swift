import Foundation
import Testing
import TestSupport
import Wire
import KubeletCore

/// `ctl logs` and `ctl exec` end to end: a real apiserver and ctl processes; the kubelet
/// side is the kubelet's own stream server (`PodStreamServer`) on a `host` runtime in this
/// process, connected as node n1. Until the pod workers start containers from pods, the
/// test creates the pod's container itself, with the labels and log path the pod workers use.
@Suite(.serialized) struct LogsExecTests {
    final class Node: @unchecked Sendable {
        let rootDir: String
        let runtime: HostRuntime
        let client: Client
        init(_ f: Fixture) throws {
            rootDir = f.dir.path + "/kubelet"
            runtime = try HostRuntime(config: HostRuntimeConfig(stateDirectory: rootDir + "/state"))
            client = Client(config: ClientConfig(server: f.server.address, token: f.server.nodeToken, nodeName: "n1", clientName: "test-kubelet"))
            let server = PodStreamServer(runtime: runtime, rootDir: rootDir)
            client.serveStreams { req, channel in await server.handle(req, channel) }
        }

        /// Starts container `app` of the pod with `uid` running `script`.
        func start(pod: String, uid: String, script: String) async throws {
            let sandbox = PodSandboxConfig(name: pod, namespace: "default", uid: uid, hostname: pod,
                                           logDirectory: ContainerLabels.podLogDirectory(rootDir: rootDir, namespace: "default", name: pod, uid: uid))
            let sandboxID = try await runtime.runPodSandbox(sandbox)
            let config = ContainerConfig(name: "app", command: ["/bin/sh", "-c", script], env: [EnvVar("PATH", "/usr/bin:/bin")],
                                         logPath: ContainerLabels.containerLogPath(container: "app", restartCount: 0),
                                         labels: [ContainerLabels.podUID: uid, ContainerLabels.containerName: "app",
                                                  ContainerLabels.podName: pod, ContainerLabels.podNamespace: "default"])
            let id = try await runtime.createContainer(podSandboxID: sandboxID, config: config, sandboxConfig: sandbox)
            try await runtime.startContainer(id)
        }

        func stop() async {
            for s in (try? await runtime.listPodSandboxes()) ?? [] { try? await runtime.removePodSandbox(s.id) }
            client.close()
        }
    }

    /// Creates pod NAME bound to n1; with `running`, its status says container `app` runs.
    func pod(_ admin: Client, _ name: String, running: Bool) async throws -> String {
        let created = try await admin.create(.pods, ["metadata": ["name": .string(name), "namespace": "default"],
                                                     "spec": ["nodeName": "n1", "containers": [["name": "app", "image": "busybox"]]]])
        if running {
            _ = try await admin.patch(.pods, namespace: "default", name: name, ["status": [
                "phase": "Running",
                "containerStatuses": [["name": "app", "ready": true, "restartCount": 0, "image": "busybox", "imageID": "",
                                       "state": ["running": ["startedAt": "2026-01-01T00:00:00Z"]]]],
            ]], status: true)
        }
        return created["metadata"]["uid"].stringValue ?? ""
    }

    @Test func logsAndExecReachTheContainerThroughTheHub() async throws {
        let f = try Fixture()
        let node = try Node(f)
        let admin = Client(config: ClientConfig(server: f.server.address, token: f.server.adminToken, clientName: "test"))
        defer {
            admin.close()
            f.close()
        }
        do {
            let go = f.dir.path + "/go"
            let uid = try await pod(admin, "web", running: true)
            try await node.start(pod: "web", uid: uid,
                                 script: "echo first; while [ ! -e \(go) ]; do sleep 0.05; done; echo later; exec sleep 1000")
            _ = try await node.client.connection()
            try await eventually(10, "the first line") { try f.ctl.run(["logs", "web"]).stdout == "first\n" }

            // --timestamps keeps each line's time; --tail and -c as kubectl.
            let stamped = try f.ctl.run(["logs", "web", "--timestamps"])
            #expect(stamped.stdout.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z first\n/) != nil, "\(stamped)")
            #expect(try f.ctl.run(["logs", "pod/web", "-c", "app", "--tail", "0"]).stdout == "")

            // -f: a line written later arrives on the open stream, after longer than ctl's
            // request timeout (which does not cut streams).
            let follow = try CtlProcess(f, ["--request-timeout", "1s", "logs", "-f", "web"])
            defer { follow.stop() }
            #expect(try await follow.read(until: "first\n") == "first\n")
            try await Task.sleep(for: .milliseconds(1500))
            _ = FileManager.default.createFile(atPath: go, contents: nil)
            #expect(try await follow.read(until: "first\nlater\n") == "first\nlater\n")

            // exec: stdin in, stdout out, and the command's exit code.
            let cat = try f.ctl.run(["exec", "web", "-i", "--", "cat"], stdin: "hello")
            #expect(cat.stdout == "hello" && cat.stderr == "" && cat.code == 0, "\(cat)")
            let three = try f.ctl.run(["exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(three.stdout == "out\n")
            #expect(three.stderr == "err\ncommand terminated with exit code 3\n")
            #expect(three.code == 3)
            let exit3 = try f.ctl.run(["exec", "web", "--", "sh", "-c", "exit 3"])
            #expect(exit3.stdout == "" && exit3.stderr == "command terminated with exit code 3\n" && exit3.code == 3)

            // Errors as kubectl prints them.
            _ = try await pod(admin, "pending", running: false)
            let missing = try f.ctl.run(["logs", "nope"])
            #expect(missing.stderr == "Error from server (NotFound): pods \"nope\" not found\n" && missing.code == 1)
            #expect(try f.ctl.run(["logs", "pending"]).stderr
                    == "Error from server (BadRequest): container \"app\" in pod \"pending\" is waiting to start: ContainerCreating\n")
            #expect(try f.ctl.run(["exec", "pending", "--", "true"]).stderr
                    == "Error from server (BadRequest): container \"app\" in pod \"pending\" is waiting to start: ContainerCreating\n")
            #expect(try f.ctl.run(["logs", "web", "-c", "zzz"]).stderr == "Error from server (BadRequest): container zzz is not valid for pod web\n")
            #expect(try f.ctl.run(["exec", "web"]).stderr == "error: you must specify at least one command for the container\n")
        } catch {
            await node.stop()
            throw error
        }
        await node.stop()
    }
}

/// A ctl process left running (`logs -f`), its stdout read as it comes.
final class CtlProcess: @unchecked Sendable {
    let process = Process()
    let out = Pipe()
    private let got = Locked("")

    init(_ f: Fixture, _ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: Binaries.path("ctl"))
        process.arguments = args
        process.environment = ["HOME": f.ctl.home, "PATH": "/usr/bin:/bin", "SKIFF_SERVER": f.server.address.description,
                               "SKIFF_TOKEN": f.server.adminToken]
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = out.fileHandleForReading
        let got = got
        Thread.detachNewThread {
            while true {
                let d = handle.availableData
                if d.isEmpty { return }
                got.withLock { $0 += String(decoding: d, as: UTF8.self) }
            }
        }
    }

    /// What it printed, once that is `text` (or after 10 s).
    func read(until text: String) async throws -> String {
        for _ in 0..<200 where got.value != text { try await Task.sleep(for: .milliseconds(50)) }
        return got.value
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
