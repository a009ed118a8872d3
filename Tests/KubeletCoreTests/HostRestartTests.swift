#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import KubeletCore

/// What a restarted kubelet finds: the first runtime forgets everything (`shutdown`, as a
/// killed kubelet), a second one over the same state directory re-adopts what runs.
@Suite(.serialized) struct HostRestartTests {
    @Test func runningContainersAreReadoptedOnceAndExitsWhileDownAreReported() async throws {
        try await HostRuntimeFixture.run { f in
            let sandboxConfig = f.sandbox("pod")
            let sandboxID = try await f.runtime.runPodSandbox(sandboxConfig)
            let go = f.root + "/go"
            let create = { (name: String, command: [String]) in
                try await f.runtime.createContainer(podSandboxID: sandboxID,
                    config: ContainerConfig(name: name, image: "busybox", command: command, logPath: "\(name)/0.log"),
                    sandboxConfig: sandboxConfig)
            }
            let stays = try await create("stays", ["/bin/sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.05; done"])
            let ends = try await create("ends", ["/bin/sh", "-c", "while [ ! -e \(go) ]; do sleep 0.02; done; echo bye; exit 7"])
            try await f.runtime.startContainer(stays)
            try await f.runtime.startContainer(ends)
            let pid = try #require(try await f.runtime.containerStatus(stays).pid)
            let holder = f.runtime.table.withLock { $0.sandboxes[sandboxID]?.uts?.pid }

            // The container's parent is its monitor, a skiff-monitor outside this process's
            // session whose parent is not this process.
            let monitor = try #require(Self.status(pid, "PPid").flatMap { Int32($0) })
            #expect(try String(contentsOfFile: "/proc/\(monitor)/comm", encoding: .utf8) == "skiff-monitor\n")
            #expect(Self.status(monitor, "PPid") != "\(getpid())")
            #expect(getsid(monitor) != getsid(0))
            print("skiff-monitor memory (KB):", Self.memory(monitor))

            f.runtime.shutdown()
            #expect(FileManager.default.createFile(atPath: go, contents: nil))
            let endsDir = "\(f.root)/state/sandboxes/\(sandboxID)/containers/\(ends)"
            for _ in 0..<500 where !FileManager.default.fileExists(atPath: "\(endsDir)/exited.json") { usleep(10_000) }
            #expect(FileManager.default.fileExists(atPath: "\(endsDir)/exited.json"))
            // The log keeps growing with no runtime watching.
            let stayLog = "\(sandboxConfig.logDirectory)/stays/0.log"
            let before = HostRuntimeFixture.lines(stayLog).count
            usleep(300_000)
            #expect(HostRuntimeFixture.lines(stayLog).count > before)

            let later = try HostRuntime(config: f.runtime.config)
            do {
                let exited = try await later.containerStatus(ends)
                #expect(exited.state == .exited)
                #expect(exited.exitCode == 7)
                #expect(exited.reason == "Error")
                #expect(HostRuntimeFixture.messages("\(sandboxConfig.logDirectory)/ends/0.log") == ["bye"])
                let running = try await later.listContainers(ContainerFilter(state: .running))
                #expect(running.map(\.id) == [stays])
                #expect(running.first?.pid == pid)
                #expect(Self.processes(running: "echo tick", command: "sh") == 1)
                #expect(later.table.withLock { $0.sandboxes[sandboxID]?.uts?.pid } == holder)
                if HostRuntimeFixture.isRoot {
                    // The adopted sandbox still starts containers in the pod's namespace.
                    let name = try await later.createContainer(podSandboxID: sandboxID, config: ContainerConfig(
                        name: "name", image: "busybox", command: ["hostname"], logPath: "name/0.log"), sandboxConfig: sandboxConfig)
                    try await later.startContainer(name)
                    try await f.waitForLog("\(sandboxConfig.logDirectory)/name/0.log", message: "pod")
                    #expect(HostRuntimeFixture.messages("\(sandboxConfig.logDirectory)/name/0.log") == ["pod"])
                }
                try await later.stopContainer(stays, timeout: 1)
                let stopped = try await later.containerStatus(stays)
                #expect(stopped.state == .exited)
                #expect(stopped.exitCode == 143)
                #expect(!HostRuntimeFixture.processExists(pid))
                #expect(!HostRuntimeFixture.processExists(monitor))
                try await later.removePodSandbox(sandboxID)
                if let holder { #expect(!HostRuntimeFixture.processExists(holder)) }
            } catch {
                try? await later.removePodSandbox(sandboxID)
                throw error
            }
        }
    }

    /// A kubelet that died right after starting a container, when the next one had already
    /// read the records (the container was still `created` then): adopted on first sight.
    @Test func aContainerStartedAfterTheRecordsWereReadIsAdoptedOnFirstSight() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"])
            let later = try HostRuntime(config: f.runtime.config)
            try await f.runtime.startContainer(c.container)
            let pid = try #require(try await f.runtime.containerStatus(c.container).pid)
            f.runtime.shutdown()
            let adopted = try await later.containerStatus(c.container)
            #expect(adopted.state == .running)
            #expect(adopted.pid == pid)
            try await later.stopContainer(c.container, timeout: 0)
            let stopped = try await later.containerStatus(c.container)
            #expect(stopped.state == .exited)
            #expect(stopped.exitCode == 137)
            #expect(!HostRuntimeFixture.processExists(pid))
            try await later.removePodSandbox(c.sandbox)
        }
    }

    @Test func aKilledMonitorEndsTheContainerWithExitCode255() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"])
            try await f.runtime.startContainer(c.container)
            let pid = try #require(try await f.runtime.containerStatus(c.container).pid)
            let monitor = try #require(Self.status(pid, "PPid").flatMap { Int32($0) })
            kill(monitor, SIGKILL)
            let status = try await f.wait(c.container, for: .exited)
            #expect(status.exitCode == 255)
            #expect(status.message == "container monitor ended without recording the container's exit")
            for _ in 0..<200 where HostRuntimeFixture.processExists(pid) { usleep(10_000) }
            #expect(!HostRuntimeFixture.processExists(pid))
        }
    }

    @Test func theMonitorHoldsOnlyTheLogPipesItsLogAndASignalDescriptor() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"])
            try await f.runtime.startContainer(c.container)
            let pid = try #require(try await f.runtime.containerStatus(c.container).pid)
            let monitor = try #require(Self.status(pid, "PPid").flatMap { Int32($0) })
            // The status pipe closes right after the report the start waited for.
            for _ in 0..<100 where (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(monitor)/fd").count) != 7 {
                usleep(10_000)
            }
            let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(monitor)/fd").map { fd in
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(monitor)/fd/\(fd)")
                return target.hasPrefix("pipe:") ? "pipe" : target
            }
            #expect(fds.sorted() == ["/dev/null", "/dev/null", "/dev/null", c.logPath, "anon_inode:[signalfd]", "pipe", "pipe"].sorted())
            #expect(try String(contentsOfFile: "/proc/\(monitor)/environ", encoding: .utf8) == "")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(monitor)/cwd") == "/")
            #expect(Self.status(monitor, "PPid") != "\(getpid())")
        }
    }

    /// A field of /proc/<pid>/status, e.g. `PPid`.
    static func status(_ pid: Int32, _ field: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
            .map { $0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    /// Pss and private (clean + dirty) KB from /proc/<pid>/smaps_rollup.
    static func memory(_ pid: Int32) -> String {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return "unreadable" }
        func kb(_ key: String) -> Int {
            text.split(separator: "\n").first { $0.hasPrefix(key + ":") }
                .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? -1
        }
        return "Pss \(kb("Pss")) Private \(kb("Private_Clean") + kb("Private_Dirty")) Rss \(kb("Rss"))"
    }

    /// How many live `command` processes have `text` in their command line.
    static func processes(running text: String, command: String) -> Int {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.filter { pid in
            guard HostRuntimeFixture.processExists(pid),
                  (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) == command + "\n",
                  let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(text)
        }.count
    }
}
