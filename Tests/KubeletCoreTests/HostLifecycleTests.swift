#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import KubeletCore

/// Stopping, exec, the pod's UTS namespace and sandbox teardown, with real processes.
@Suite(.serialized) struct HostLifecycleTests {
    @Test func stopSendsTermThenKillAfterTheTimeout() async throws {
        try await HostRuntimeFixture.run { f in
            let script = "trap 'echo got TERM' TERM; echo ready; while :; do sleep 0.1; done"
            let c = try await f.create(["/bin/sh", "-c", script])
            try await f.runtime.startContainer(c.container)
            try await f.waitForLog(c.logPath, message: "ready")
            let pid = try #require(try await f.runtime.containerStatus(c.container).pid)
            let started = Date()
            try await f.runtime.stopContainer(c.container, timeout: 1)
            let took = Date().timeIntervalSince(started)
            #expect(took >= 1 && took < 5)
            let status = try await f.runtime.containerStatus(c.container)
            #expect(status.state == .exited)
            #expect(status.exitCode == 137)
            #expect(status.reason == "Error")
            #expect(HostRuntimeFixture.messages(c.logPath) == ["ready", "got TERM"])
            #expect(!HostRuntimeFixture.processExists(pid))
        }
    }

    @Test func stopReturnsAsSoonAsTermEndsTheContainer() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"])
            try await f.runtime.startContainer(c.container)
            #expect(try await f.runtime.containerStatus(c.container).state == .running)
            let started = Date()
            try await f.runtime.stopContainer(c.container, timeout: 30)
            #expect(Date().timeIntervalSince(started) < 5)
            let status = try await f.runtime.containerStatus(c.container)
            #expect(status.exitCode == 143)
            // Stopping what has ended changes nothing.
            try await f.runtime.stopContainer(c.container, timeout: 30)
            #expect(try await f.runtime.containerStatus(c.container) == status)
        }
    }

    @Test func hostnameIsThePodNameCutTo63() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        let name = "a-pod-whose-name-is-longer-than-sixty-three-characters-xxxxxxxxx-yyyy"
        var ownHostname = [CChar](repeating: 0, count: 256)
        gethostname(&ownHostname, ownHostname.count)
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["/bin/sh", "-c", "hostname; echo $HOSTNAME"], sandbox: name)
            try await f.runtime.startContainer(c.container)
            _ = try await f.wait(c.container, for: .exited)
            #expect(HostRuntimeFixture.messages(c.logPath) == [
                "a-pod-whose-name-is-longer-than-sixty-three-characters-xxxxxxxx",
                "a-pod-whose-name-is-longer-than-sixty-three-characters-xxxxxxxx",
            ])
        }
        var after = [CChar](repeating: 0, count: 256)
        gethostname(&after, after.count)
        #expect(after == ownHostname)
    }

    @Test func theNamespaceHolderIsSkiffPauseAndSmall() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await HostRuntimeFixture.run { f in
            let id = try await f.runtime.runPodSandbox(f.sandbox("holder"))
            let holder = try #require(f.runtime.table.withLock { $0.sandboxes[id]?.uts?.pid })
            let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(holder)/exe")
            #expect(exe.hasSuffix("/skiff-pause"))
            // A holder that did not exec would share this whole test process's pages. What a
            // holder costs is its proportional share (Pss): about 1.5 MB here, 400 KB of it
            // private (SwiftPM links libswiftCore even into this C program; its pages are
            // shared between every holder and the kubelet).
            let rollup = try String(contentsOfFile: "/proc/\(holder)/smaps_rollup", encoding: .utf8)
            let pss = rollup.split(separator: "\n").first { $0.hasPrefix("Pss:") }?.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            #expect(try #require(pss) < 4096, "holder Pss \(pss ?? -1) KB")
            #expect(try String(contentsOfFile: "/proc/\(holder)/environ", encoding: .utf8) == "")
        }
    }

    @Test func execSyncRunsInTheContainersContext() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"], sandbox: "exec-pod") {
                $0.env = [EnvVar("GREETING", "hello")]
                $0.workingDir = "/tmp"
            }
            try await f.runtime.startContainer(c.container)
            let script = "echo $GREETING $HOSTNAME; pwd; echo oops >&2; exit 7"
            let result = try await f.runtime.execSync(c.container, command: ["/bin/sh", "-c", script], timeout: 10)
            #expect(result.exitCode == 7)
            #expect(String(decoding: result.stdout, as: UTF8.self) == "hello exec-pod\n/tmp\n")
            #expect(String(decoding: result.stderr, as: UTF8.self) == "oops\n")
            if HostRuntimeFixture.isRoot {
                let uts = try await f.runtime.execSync(c.container, command: ["hostname"], timeout: 10)
                #expect(String(decoding: uts.stdout, as: UTF8.self) == "exec-pod\n")
            }
            await #expect(throws: RuntimeError(.startFailed, "exec: \"no-such-tool\": executable file not found in $PATH")) {
                _ = try await f.runtime.execSync(c.container, command: ["no-such-tool"], timeout: 10)
            }
        }
    }

    @Test func execSyncKillsTheCommandAtItsTimeout() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"])
            try await f.runtime.startContainer(c.container)
            let started = Date()
            await #expect(throws: RuntimeError(.deadlineExceeded, "command [\"sleep\", \"30\"] timed out after 0.5s")) {
                _ = try await f.runtime.execSync(c.container, command: ["sleep", "30"], timeout: 0.5)
            }
            #expect(Date().timeIntervalSince(started) < 5)
            // The container itself still runs.
            #expect(try await f.runtime.containerStatus(c.container).state == .running)
        }
    }

    @Test func execSyncNeedsARunningContainer() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["true"])
            await #expect(throws: RuntimeError(.failedPrecondition, "container \"\(c.container)\" is not running")) {
                _ = try await f.runtime.execSync(c.container, command: ["true"], timeout: 1)
            }
        }
    }

    @Test func stopAndRemoveSandboxEndEveryProcess() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"])
            try await f.runtime.startContainer(c.container)
            let pid = try #require(try await f.runtime.containerStatus(c.container).pid)
            let holder = f.runtime.table.withLock { $0.sandboxes[c.sandbox]?.uts?.pid }
            #expect((holder != nil) == HostRuntimeFixture.isRoot)
            try await f.runtime.stopPodSandbox(c.sandbox)
            #expect(try await f.runtime.podSandboxStatus(c.sandbox).state == .notReady)
            let status = try await f.runtime.containerStatus(c.container)
            #expect(status.state == .exited)
            #expect(status.exitCode == 137)
            #expect(!HostRuntimeFixture.processExists(pid))
            if let holder { #expect(!HostRuntimeFixture.processExists(holder)) }
            try await f.runtime.removePodSandbox(c.sandbox)
            await #expect(throws: RuntimeError(.notFound, "pod sandbox \"\(c.sandbox)\" not found")) {
                _ = try await f.runtime.podSandboxStatus(c.sandbox)
            }
            await #expect(throws: RuntimeError(.notFound, "container \"\(c.container)\" not found")) {
                _ = try await f.runtime.containerStatus(c.container)
            }
            #expect(!FileManager.default.fileExists(atPath: "\(f.root)/state/sandboxes/\(c.sandbox)"))
            // The log stays for the kubelet to remove with the pod.
            #expect(FileManager.default.fileExists(atPath: c.logPath))
            // Both calls are idempotent.
            try await f.runtime.stopPodSandbox(c.sandbox)
            try await f.runtime.removePodSandbox(c.sandbox)
        }
    }

    @Test func removeContainerKillsARunningOne() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"])
            try await f.runtime.startContainer(c.container)
            let pid = try #require(try await f.runtime.containerStatus(c.container).pid)
            try await f.runtime.removeContainer(c.container)
            #expect(!HostRuntimeFixture.processExists(pid))
            #expect(try await f.runtime.listContainers(ContainerFilter()) == [])
        }
    }

    @Test func listContainersFilters() async throws {
        try await HostRuntimeFixture.run { f in
            let a = try await f.create(["sleep", "100"], sandbox: "one") { $0.labels = ["app": "a"] }
            let b = try await f.create(["true"], sandbox: "two") { $0.labels = ["app": "b"] }
            try await f.runtime.startContainer(a.container)
            let ids = { (filter: ContainerFilter) in try await f.runtime.listContainers(filter).map(\.id) }
            #expect(try await ids(ContainerFilter()).sorted() == [a.container, b.container].sorted())
            #expect(try await ids(ContainerFilter(podSandboxID: b.sandbox)) == [b.container])
            #expect(try await ids(ContainerFilter(state: .running)) == [a.container])
            #expect(try await ids(ContainerFilter(state: .created)) == [b.container])
            #expect(try await ids(ContainerFilter(labels: ["app": "b"])) == [b.container])
            #expect(try await ids(ContainerFilter(id: a.container, state: .created)) == [])
        }
    }
}

/// A sandbox an earlier kubelet (another HostRuntime on the same state) made.
@Suite(.serialized) struct HostSandboxAdoptionTests {
    @Test func aLaterRuntimeStartsContainersInAnEarlierSandboxAndKillsItsHolder() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await HostRuntimeFixture.run { f in
            let sandboxID = try await f.runtime.runPodSandbox(f.sandbox("kept"))
            let holder = try #require(FileManager.default.contents(atPath: f.root + "/state/sandboxes/\(sandboxID)/holder.json"))
            let holderPID = Int32(try JSONDecoder().decode([String: UInt64].self, from: holder)["pid"] ?? 0)
            let later = try HostRuntime(config: HostRuntimeConfig(stateDirectory: f.root + "/state"))
            let config = ContainerConfig(name: "h", command: ["hostname"], logPath: "h/0.log")
            let id = try await later.createContainer(podSandboxID: sandboxID, config: config, sandboxConfig: f.sandbox("kept"))
            try await later.startContainer(id)
            _ = try await f.wait(id, for: .exited, runtime: later)
            try await f.waitForLog(f.logDirectory + "/default_kept/h/0.log", message: "kept")
            #expect(HostRuntimeFixture.messages(f.logDirectory + "/default_kept/h/0.log") == ["kept"])
            try await later.stopPodSandbox(sandboxID)
            try await Task.sleep(for: .milliseconds(100))
            #expect(!HostRuntimeFixture.processExists(holderPID))
        }
    }
}
