#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import KubeletCore

/// Containers of the `host` handler as real processes: exit, logs, environment, descriptors,
/// start errors, identity.
@Suite(.serialized) struct HostContainerTests {
    @Test func exitCodeAndBothStreamsReachTheCRILog() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
            try await f.runtime.startContainer(c.container)
            let status = try await f.wait(c.container, for: .exited)
            #expect(status.state == .exited)
            #expect(status.exitCode == 3)
            #expect(status.reason == "Error")
            #expect(status.message == "")
            #expect(status.pid == nil)
            #expect(status.startedAt != nil && status.finishedAt != nil)
            #expect(status.logPath == c.logPath)
            let lines = HostRuntimeFixture.lines(c.logPath)
            #expect(lines.count == 2)
            let stamp = try Regex(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z "#)
            #expect(lines.allSatisfy { $0.prefixMatch(of: stamp) != nil })
            #expect(HostRuntimeFixture.records(c.logPath) == ["stdout F out", "stderr F err"])
        }
    }

    @Test func zeroExitIsCompleted() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["true"])
            try await f.runtime.startContainer(c.container)
            let status = try await f.wait(c.container, for: .exited)
            #expect(status.exitCode == 0)
            #expect(status.reason == "Completed")
        }
    }

    @Test func environmentHoldsNothingFromTheKubelet() async throws {
        setenv("SKIFF_KUBELET_ONLY", "leaked", 1)
        defer { unsetenv("SKIFF_KUBELET_ONLY") }
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["/usr/bin/env"], sandbox: "env-pod") { $0.env = [EnvVar("FOO", "bar"), EnvVar("EMPTY", "")] }
            try await f.runtime.startContainer(c.container)
            _ = try await f.wait(c.container, for: .exited)
            #expect(HostRuntimeFixture.messages(c.logPath) == [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOSTNAME=env-pod",
                "FOO=bar",
                "EMPTY=",
            ])
        }
    }

    /// A secret in the environment reaches the container but not the monitor's command line
    /// (/proc/<pid>/cmdline is world-readable) nor a file others can read; a large environment
    /// (240 KiB) works.
    @Test func environmentReachesTheContainerButNotTheMonitorsCommandLine() async throws {
        let secret = "s3cret-token-4711"
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["/bin/sh", "-c", "echo $((${#B1} + ${#B2} + ${#B3} + ${#B4})); exec sleep 30"]) {
                $0.env = [EnvVar("TOKEN", secret)] + (1...4).map { EnvVar("B\($0)", String(repeating: "x", count: 60 * 1024)) }
            }
            try await f.runtime.startContainer(c.container)
            try await f.waitForLog(c.logPath, message: "245760")
            #expect(HostRuntimeFixture.messages(c.logPath) == ["245760"])
            let pid = try #require(try await f.runtime.containerStatus(c.container).pid)
            let environ = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")).split(separator: 0)
            #expect(environ.map { String(decoding: $0, as: UTF8.self) }.contains("TOKEN=s3cret-token-4711"))
            let containerDir = "state/sandboxes/\(c.sandbox)/containers/\(c.container)"
            let started = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(f.root)/\(containerDir)/started.json")))
            let monitor = try #require((started as? [String: Any])?["monitorPid"] as? Int)
            let cmdline = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "/proc/\(monitor)/cmdline")), as: UTF8.self)
            #expect(cmdline.contains("skiff-monitor"))
            #expect(!cmdline.contains("TOKEN") && !cmdline.contains(secret) && !cmdline.contains("xxxxxxxx"))
            // The one file holding it is the container's record, readable by its owner only.
            let holding = try FileManager.default.subpathsOfDirectory(atPath: f.root).filter { path in
                (try? String(contentsOfFile: "\(f.root)/\(path)", encoding: .utf8))?.contains(secret) == true
            }
            #expect(holding == ["\(containerDir)/container.json"])
            #expect(try Self.mode("\(f.root)/\(containerDir)/container.json") == 0o600)
            #expect(try Self.mode("\(f.root)/state") == 0o700)
            try await f.runtime.stopContainer(c.container, timeout: 0)
        }
    }

    /// One environment entry over 128 KiB (MAX_ARG_STRLEN, which execve applies to each
    /// environment string too) cannot reach any process: a StartError, as runc reports it.
    @Test func anEnvironmentEntryOverTheKernelsLimitIsAStartError() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["/bin/sh", "-c", "true"]) { $0.env = [EnvVar("BIG", String(repeating: "x", count: 200 * 1024))] }
            await #expect(throws: RuntimeError.self) { try await f.runtime.startContainer(c.container) }
            let status = try await f.runtime.containerStatus(c.container)
            #expect(status.state == .exited && status.exitCode == 128 && status.reason == "StartError")
            #expect(status.message == #"exec: "/bin/sh": argument list too long"#)
        }
    }

    static func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1) & 0o777
    }

    @Test func configuredPathAndHostnameReplaceTheDefaults() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["/usr/bin/env"], sandbox: "env-pod") {
                $0.env = [EnvVar("A", "1"), EnvVar("HOSTNAME", "mine"), EnvVar("PATH", "/bin"), EnvVar("A", "2")]
            }
            try await f.runtime.startContainer(c.container)
            _ = try await f.wait(c.container, for: .exited)
            #expect(HostRuntimeFixture.messages(c.logPath) == ["PATH=/bin", "HOSTNAME=mine", "A=2"])
        }
    }

    @Test func noDescriptorIsInherited() async throws {
        // A descriptor this process leaves open across exec must not reach the container.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        #expect(leaked > 2)
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["/bin/ls", "/proc/self/fd"])
            try await f.runtime.startContainer(c.container)
            _ = try await f.wait(c.container, for: .exited)
            // 0-2 are stdin (/dev/null) and the log pipes; 3 is the directory ls reads.
            #expect(HostRuntimeFixture.messages(c.logPath) == ["0", "1", "2", "3"])
        }
    }

    @Test func stdinIsDevNullAndOutputsArePipes() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["/bin/sh", "-c", "readlink /proc/self/fd/0; readlink /proc/self/fd/1 | cut -c1-6; readlink /proc/self/fd/2 | cut -c1-6"])
            try await f.runtime.startContainer(c.container)
            _ = try await f.wait(c.container, for: .exited)
            #expect(HostRuntimeFixture.messages(c.logPath) == ["/dev/null", "pipe:[", "pipe:["])
        }
    }

    @Test func missingExecutableIsStartError() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["no-such-command-skiff", "arg"])
            await #expect(throws: RuntimeError(.startFailed, "exec: \"no-such-command-skiff\": executable file not found in $PATH")) {
                try await f.runtime.startContainer(c.container)
            }
            let status = try await f.runtime.containerStatus(c.container)
            #expect(status.state == .exited)
            #expect(status.exitCode == 128)
            #expect(status.reason == "StartError")
            #expect(status.message == "exec: \"no-such-command-skiff\": executable file not found in $PATH")
            #expect(status.startedAt == nil)
            #expect(status.finishedAt != nil)
            // Started once: a second start is refused.
            await #expect(throws: RuntimeError(.failedPrecondition, "container \"\(c.container)\" is not in created state")) {
                try await f.runtime.startContainer(c.container)
            }
        }
    }

    @Test func missingAbsolutePathAndWorkingDirAreStartErrors() async throws {
        try await HostRuntimeFixture.run { f in
            let a = try await f.create(["/nonexistent/skiff-tool"])
            await #expect(throws: RuntimeError(.startFailed, "exec: \"/nonexistent/skiff-tool\": no such file or directory")) {
                try await f.runtime.startContainer(a.container)
            }
            let b = try await f.create(["true"], sandbox: "other") { $0.workingDir = "/nonexistent-dir" }
            await #expect(throws: RuntimeError(.startFailed, "chdir to cwd (\"/nonexistent-dir\") failed: no such file or directory")) {
                try await f.runtime.startContainer(b.container)
            }
            #expect(try await f.runtime.containerStatus(b.container).reason == "StartError")
        }
    }

    @Test func aLogThatCannotBeOpenedIsStartErrorBeforeAnyProcessRuns() async throws {
        try await HostRuntimeFixture.run { f in
            let marker = "\(f.root)/ran"
            let c = try await f.create(["touch", marker])
            try FileManager.default.createDirectory(atPath: c.logPath, withIntermediateDirectories: true)
            await #expect(throws: RuntimeError(.internal, "open \(c.logPath): is a directory")) {
                try await f.runtime.startContainer(c.container)
            }
            let status = try await f.runtime.containerStatus(c.container)
            #expect(status.state == .exited && status.exitCode == 128 && status.reason == "StartError")
            #expect(status.message == "open \(c.logPath): is a directory")
            #expect(!FileManager.default.fileExists(atPath: marker))
        }
    }

    @Test func workingDirUserAndGroups() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["/bin/sh", "-c", "pwd; id -u; id -g; id -G"]) {
                $0.workingDir = "/tmp"
                $0.user = ContainerUser(uid: 65534, gid: 65534, supplementalGroups: [1234])
            }
            try await f.runtime.startContainer(c.container)
            _ = try await f.wait(c.container, for: .exited)
            #expect(HostRuntimeFixture.messages(c.logPath) == ["/tmp", "65534", "65534", "65534 1234"])
        }
    }

    @Test func uidAloneTakesThePasswdGroup() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["/bin/sh", "-c", "id -u; id -G"]) { $0.user = ContainerUser(uid: 65534) }
            try await f.runtime.startContainer(c.container)
            _ = try await f.wait(c.container, for: .exited)
            #expect(HostRuntimeFixture.messages(c.logPath) == ["65534", "65534"])
        }
    }

    @Test func createRefusesContainersWithoutCommand() async throws {
        try await HostRuntimeFixture.run { f in
            let sandboxConfig = f.sandbox()
            let id = try await f.runtime.runPodSandbox(sandboxConfig)
            let config = ContainerConfig(name: "web", image: "nginx", command: [], logPath: "web/0.log")
            await #expect(throws: RuntimeError(.invalidArgument, "container \"web\": the host handler needs a command (it runs no image entrypoint)")) {
                _ = try await f.runtime.createContainer(podSandboxID: id, config: config, sandboxConfig: sandboxConfig)
            }
            #expect(try await f.runtime.listContainers(ContainerFilter()) == [])
        }
    }

    /// Each record file is decoded once: later statuses come from memory (records are
    /// written once, so what was read stays true), here proved by spoiling the files.
    @Test func statusDecodesEachRecordFileOnce() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"])
            try await f.runtime.startContainer(c.container)
            let running = try await f.runtime.containerStatus(c.container)
            #expect(running.state == .running)
            let dir = f.runtime.disk.containerDir(c.sandbox, c.container)
            for name in ["container.json", "started.json"] {
                try Data("not json".utf8).write(to: URL(fileURLWithPath: "\(dir)/\(name)"))
            }
            #expect(try await f.runtime.containerStatus(c.container) == running)
            #expect(try await f.runtime.listContainers(ContainerFilter()).map(\.config.name) == ["main"])
            try await f.runtime.stopContainer(c.container, timeout: 30)
            let exited = try await f.runtime.containerStatus(c.container)
            #expect(exited.state == .exited)
            #expect(exited.exitCode == 143)
            try Data("not json".utf8).write(to: URL(fileURLWithPath: "\(dir)/exited.json"))
            #expect(try await f.runtime.containerStatus(c.container) == exited)
        }
    }
}
