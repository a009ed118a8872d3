import Foundation
import Synchronization
import Testing
import Wire
@testable import KubeletCore

/// What a pod leaves on the node once it finished or was removed (real host runtime).
@Suite(.serialized) struct PodWorkerCleanupTests {
    /// A finished pod keeps its container records (status, logs) but no cgroup.
    @Test func aFinishedPodsCgroupsAreRemoved() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await PodWorkerFixture.run { f in
            let pod = try f.pod(#"{"metadata":{"name":"done","namespace":"default","uid":"u-done"},"spec":{"restartPolicy":"Never","containers":[{"name":"c","command":["sh","-c","echo fin"]}]}}"#)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            try await f.waitForStatus("Succeeded") { $0.phase == "Succeeded" }
            let root = try #require(f.runtime.runtime.cgroups?.root)
            let pods = ["cpu", "cpuacct", "memory", "pids", "freezer", "unified"].map { "/sys/fs/cgroup/\($0)/\(root)/podu-done" }
            let deadline = Date().addingTimeInterval(5)
            while pods.contains(where: HostRuntimeFixture.isDirectory), Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(pods.filter(HostRuntimeFixture.isDirectory) == [])
            #expect(try await f.runtime.runtime.listContainers(ContainerFilter()).map { "\($0.config.name) \($0.state) \($0.exitCode ?? -1)" } == ["c exited 0"])
            #expect(HostRuntimeFixture.messages("\(f.runtime.root)/pods/default_done_u-done/c/0.log") == ["fin"])
            #expect(f.runtime.runtime.cgroupProblem == nil)
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    /// A sandbox whose removal fails is removed on a later pass, not forgotten.
    @Test func aSandboxThatCouldNotBeRemovedIsRetried() async throws {
        try await PodWorkerFixture.run { f in
            let flaky = FlakyRemovalRuntime(f.runtime.runtime)
            var env = f.environment
            env.runtime = flaky
            let pod = try f.pod(#"{"metadata":{"name":"sticky","namespace":"default","uid":"u-sticky"},"spec":{"containers":[{"name":"c","command":["sleep","300"]}]}}"#)
            let w = PodWorker(pod: pod, environment: env)
            await w.start()
            try await f.waitForStatus("Running") { $0.phase == "Running" }
            flaky.failures.withLock { $0 = 2 }
            await w.podRemoved()
            await w.waitUntilFinished()
            #expect(try await f.runtime.runtime.listPodSandboxes().isEmpty)
            #expect(flaky.failures.withLock { $0 } == 0)
            #expect(f.api.events.filter { $0.hasPrefix("FailedKillPod:") } == ["FailedKillPod: error killing pod: injected removal failure"])
        }
    }

    /// A container the runtime cannot create waits as CreateContainerError with one Failed
    /// event, not one per pass.
    @Test func aRepeatedCreateContainerErrorRecordsOneEvent() async throws {
        try await PodWorkerFixture.run { f in
            // A file where the container's log directory must go: createContainer fails.
            let dir = "\(f.runtime.root)/pods/default_spam_u-spam"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try "".write(toFile: dir + "/c", atomically: false, encoding: .utf8)
            let pod = try f.pod(#"{"metadata":{"name":"spam","namespace":"default","uid":"u-spam"},"spec":{"containers":[{"name":"c","command":["true"]}]}}"#)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            try await f.waitForStatus("CreateContainerError") { $0.first?.state?.waiting?.reason == "CreateContainerError" }
            try await Task.sleep(for: .milliseconds(300))   // 15 passes at 0.02 s
            let failed = f.api.events.filter { $0.hasPrefix("Failed:") }
            #expect(failed.count == 1)
            #expect(failed.first?.hasPrefix("Failed: Error: mkdir \(dir)/c: ") == true)
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }
}

/// The host runtime, with `removePodSandbox` failing while `failures` is above 0.
final class FlakyRemovalRuntime: RuntimeService {
    let base: HostRuntime
    let failures = Mutex(0)
    init(_ base: HostRuntime) { self.base = base }

    func removePodSandbox(_ podSandboxID: String) async throws {
        let fail = failures.withLock { n -> Bool in
            guard n > 0 else { return false }
            n -= 1
            return true
        }
        if fail { throw RuntimeError(.internal, "injected removal failure") }
        try await base.removePodSandbox(podSandboxID)
    }

    func version(kubeletAPIVersions: [String]) async throws -> RuntimeVersion { try await base.version(kubeletAPIVersions: kubeletAPIVersions) }
    func runPodSandbox(_ config: PodSandboxConfig) async throws -> String { try await base.runPodSandbox(config) }
    func stopPodSandbox(_ podSandboxID: String) async throws { try await base.stopPodSandbox(podSandboxID) }
    func podSandboxStatus(_ podSandboxID: String) async throws -> PodSandboxStatus { try await base.podSandboxStatus(podSandboxID) }
    func listPodSandboxes() async throws -> [PodSandboxStatus] { try await base.listPodSandboxes() }
    func createContainer(podSandboxID: String, config: ContainerConfig, sandboxConfig: PodSandboxConfig) async throws -> String {
        try await base.createContainer(podSandboxID: podSandboxID, config: config, sandboxConfig: sandboxConfig)
    }
    func startContainer(_ containerID: String) async throws { try await base.startContainer(containerID) }
    func stopContainer(_ containerID: String, timeout: Double) async throws { try await base.stopContainer(containerID, timeout: timeout) }
    func removeContainer(_ containerID: String) async throws { try await base.removeContainer(containerID) }
    func containerStatus(_ containerID: String) async throws -> KubeletCore.ContainerStatus { try await base.containerStatus(containerID) }
    func listContainers(_ filter: ContainerFilter) async throws -> [KubeletCore.ContainerStatus] { try await base.listContainers(filter) }
    func execSync(_ containerID: String, command: [String], timeout: Double) async throws -> ExecSyncResult {
        try await base.execSync(containerID, command: command, timeout: timeout)
    }
    func exec(containerID: String, command: [String], tty: Bool, terminalSize: TerminalSize?, stdin: Bool) async throws -> any ExecSession {
        try await base.exec(containerID: containerID, command: command, tty: tty, terminalSize: terminalSize, stdin: stdin)
    }
}
