#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import KubeletCore

/// Real cgroups on this (hybrid v1) machine, as root: limits, OOM kills, killing whole
/// cgroups, removal. Each fixture has its own cgroup root, removed at the end.
@Suite(.serialized) struct HostCgroupTests {
    static let mount = "/sys/fs/cgroup"

    @Test func thisMachineIsHybrid() {
        guard HostRuntimeFixture.isRoot else { return }
        let layout = CgroupLayout.current()
        #expect(layout.mode == .hybrid)
        #expect(layout.unified == "/sys/fs/cgroup/unified")
        #expect(layout.v1.map(\.mountPoint).sorted() == [
            "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/freezer", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids",
        ])
    }

    @Test func memoryHogOverItsLimitEndsOOMKilled() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await HostRuntimeFixture.run { f in
            // dd's 64 MiB buffer is filled from /dev/zero: a 32 MiB limit cannot hold it.
            let c = try await f.create(["/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]) {
                $0.resources = LinuxContainerResources(memoryLimitInBytes: 32 * 1024 * 1024)
            }
            try await f.runtime.startContainer(c.container)
            let status = try await f.wait(c.container, for: .exited)
            #expect(status.exitCode == 137)
            #expect(status.reason == "OOMKilled")
        }
    }

    @Test func aContainerUnderItsLimitIsNotOOMKilled() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=1M", "count=1"]) {
                $0.resources = LinuxContainerResources(memoryLimitInBytes: 32 * 1024 * 1024)
            }
            try await f.runtime.startContainer(c.container)
            let status = try await f.wait(c.container, for: .exited)
            #expect(status.exitCode == 0)
            #expect(status.reason == "Completed")
        }
    }

    @Test func limitsAreWrittenToTheV1Files() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await HostRuntimeFixture.run(configure: { $0.podPidsLimit = 100 }) { f in
            var sandbox = f.sandbox("limits")
            sandbox.resources = LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 150_000, cpuShares: 1536, memoryLimitInBytes: 128 * 1024 * 1024)
            let sandboxID = try await f.runtime.runPodSandbox(sandbox)
            let config = ContainerConfig(name: "main", command: ["sleep", "100"], logPath: "main/0.log",
                                         resources: LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 512,
                                                                            memoryLimitInBytes: 64 * 1024 * 1024))
            let id = try await f.runtime.createContainer(podSandboxID: sandboxID, config: config, sandboxConfig: sandbox)
            let root = try #require(f.runtime.cgroups?.root)
            let pod = "\(root)/poduid-limits"
            func read(_ path: String) -> String? { try? String(contentsOfFile: "\(Self.mount)/\(path)", encoding: .utf8) }
            #expect(read("cpu/\(pod)/cpu.cfs_quota_us") == "150000\n")
            #expect(read("cpu/\(pod)/cpu.cfs_period_us") == "100000\n")
            #expect(read("cpu/\(pod)/cpu.shares") == "1536\n")
            #expect(read("memory/\(pod)/memory.limit_in_bytes") == "134217728\n")
            #expect(read("pids/\(pod)/pids.max") == "100\n")
            #expect(read("cpu/\(pod)/\(id)/cpu.cfs_quota_us") == "50000\n")
            #expect(read("cpu/\(pod)/\(id)/cpu.cfs_period_us") == "100000\n")
            #expect(read("cpu/\(pod)/\(id)/cpu.shares") == "512\n")
            #expect(read("memory/\(pod)/\(id)/memory.limit_in_bytes") == "67108864\n")
            #expect(read("pids/\(pod)/\(id)/pids.max") == "max\n")
            #expect(f.runtime.cgroupProblem == nil)
        }
    }

    @Test func theContainerAndItsExecsJoinEveryHierarchyWithTheirOOMScore() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await HostRuntimeFixture.run { f in
            // A Burstable score: raising needs no privilege (root here lacks CAP_SYS_RESOURCE,
            // which a Guaranteed pod's -997 would need).
            let c = try await f.create(["sleep", "100"]) { $0.resources = LinuxContainerResources(oomScoreAdj: 937) }
            try await f.runtime.startContainer(c.container)
            let pid = try #require(try await f.runtime.containerStatus(c.container).pid)
            #expect(try String(contentsOfFile: "/proc/\(pid)/oom_score_adj", encoding: .utf8) == "937\n")
            let root = try #require(f.runtime.cgroups?.root)
            let path = "/\(root)/poduid-demo/\(c.container)"
            let expected = [
                "8:pids:\(path)", "6:freezer:\(path)", "4:memory:\(path)", "2:cpuacct:\(path)", "1:cpu:\(path)", "0::\(path)",
            ]
            let own = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(expected.allSatisfy(own.contains), "\(own)")
            let exec = try await f.runtime.execSync(c.container, command: ["/bin/sh", "-c", "cat /proc/self/oom_score_adj /proc/self/cgroup"], timeout: 10)
            let lines = String(decoding: exec.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
            #expect(lines.first == "937")
            #expect(expected.allSatisfy(lines.contains), "\(lines)")
            // Streaming exec (`ctl exec`), with and without a terminal, joins them too.
            for tty in [false, true] {
                let session = try await f.runtime.exec(containerID: c.container, command: ["/bin/sh", "-c", "cat /proc/self/oom_score_adj /proc/self/cgroup"],
                                                       tty: tty, terminalSize: nil, stdin: false)
                var out: [UInt8] = []
                while let (_, bytes) = await session.readOutput() { out += bytes }
                #expect(await session.wait() == 0)
                let streamed = String(decoding: out, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).map(String.init)
                #expect(streamed.first == "937", "tty \(tty)")
                #expect(expected.allSatisfy(streamed.contains), "tty \(tty): \(streamed)")
            }
        }
    }

    @Test func stopKillsADescendantThatMadeItsOwnSession() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await HostRuntimeFixture.run { f in
            // setsid(1) in the background is no group leader, so it calls setsid() and execs.
            let script = "setsid sh -c 'trap \"\" TERM; exec sleep 1000' & echo $!; wait"
            let c = try await f.create(["/bin/sh", "-c", script])
            try await f.runtime.startContainer(c.container)
            let main = try #require(try await f.runtime.containerStatus(c.container).pid)
            try await f.waitForLog(c.logPath, message: HostRuntimeFixture.messages(c.logPath).first ?? "")
            var escaped: Int32?
            for _ in 0..<200 where escaped == nil {
                escaped = HostRuntimeFixture.messages(c.logPath).first.flatMap { Int32($0) }
                if escaped == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            let grandchild = try #require(escaped)
            // Wait for the exec, then check it left the container's session.
            var session: String?
            for _ in 0..<200 {
                session = Self.sessionID(grandchild)
                if Self.command(grandchild) == "sleep" { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(session != nil && session != "\(main)")
            try await f.runtime.stopContainer(c.container, timeout: 1)
            #expect(!HostRuntimeFixture.processExists(grandchild))
            #expect(try await f.runtime.containerStatus(c.container).state == .exited)
        }
    }

    @Test func cgroupsAreRemovedWithTheContainerAndTheSandbox() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"])
            try await f.runtime.startContainer(c.container)
            let root = try #require(f.runtime.cgroups?.root)
            let hierarchies = ["cpu", "cpuacct", "memory", "pids", "freezer", "unified"]
            let pod = hierarchies.map { "\(Self.mount)/\($0)/\(root)/poduid-demo" }
            let container = pod.map { "\($0)/\(c.container)" }
            #expect(container.allSatisfy(HostRuntimeFixture.isDirectory))
            try await f.runtime.removeContainer(c.container)
            #expect(container.filter(HostRuntimeFixture.isDirectory) == [])
            #expect(pod.allSatisfy(HostRuntimeFixture.isDirectory))
            try await f.runtime.removePodSandbox(c.sandbox)
            #expect(pod.filter(HostRuntimeFixture.isDirectory) == [])
            #expect(f.runtime.cgroupProblem == nil)
        }
    }

    @Test func thePodCgroupGoesWithThePodsLastSandbox() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        try await HostRuntimeFixture.run { f in
            let first = try await f.runtime.runPodSandbox(f.sandbox("again"))
            var retry = f.sandbox("again")
            retry.attempt = 1
            let second = try await f.runtime.runPodSandbox(retry)
            let root = try #require(f.runtime.cgroups?.root)
            let pod = "\(Self.mount)/memory/\(root)/poduid-again"
            try await f.runtime.removePodSandbox(first)
            #expect(HostRuntimeFixture.isDirectory(pod))
            try await f.runtime.removePodSandbox(second)
            #expect(!HostRuntimeFixture.isDirectory(pod))
            #expect(f.runtime.cgroupProblem == nil)
        }
    }

    @Test func aBadCgroupParentIsRefusedAndMakesNothing() async throws {
        try await HostRuntimeFixture.run { f in
            for parent in ["../escape", "/abs", "a//b", ""] {
                var sandbox = f.sandbox("bad")
                sandbox.cgroupParent = parent
                await #expect(throws: RuntimeError(.invalidArgument,
                                                   "cgroup parent \"\(parent)\": must be a relative path without empty, \".\" or \"..\" parts")) {
                    _ = try await f.runtime.runPodSandbox(sandbox)
                }
            }
            let left = try await f.runtime.listPodSandboxes()
            #expect(left.isEmpty)
            #expect((try? FileManager.default.contentsOfDirectory(atPath: "\(f.root)/state/sandboxes")) == [])
        }
    }

    @Test func withoutWritableCgroupsContainersRunWithoutLimitsAndTheProblemIsReported() async throws {
        let fake = FileManager.default.temporaryDirectory.path + "/not-a-cgroup-mount-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: fake, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: fake) }
        let layout = CgroupLayout(mode: .v1, v1: [CgroupHierarchy(mountPoint: fake, controllers: ["memory"], isUnified: false)], unified: nil)
        try await HostRuntimeFixture.run(configure: { $0.cgroupRoot = "skiff/n1"; $0.cgroupLayout = layout }) { f in
            #expect(f.runtime.cgroupProblem == "mkdir \(fake)/skiff: not a directory: containers run without limits")
            let c = try await f.create(["/bin/sh", "-c", "echo ran"]) { $0.resources = LinuxContainerResources(memoryLimitInBytes: 1 << 20) }
            try await f.runtime.startContainer(c.container)
            #expect(try await f.wait(c.container, for: .exited).exitCode == 0)
            #expect(HostRuntimeFixture.messages(c.logPath) == ["ran"])
        }
        let none = CgroupManager(root: "skiff/n1", layout: CgroupLayout(mode: nil, v1: [], unified: nil))
        #expect(none.problem == "no cgroup file system is mounted: containers run without limits")
        #expect(CgroupManager(root: "skiff/../x", layout: .current()).problem
            == "cgroup root \"skiff/../x\": must be a relative path without empty, \".\" or \"..\" parts")
    }

    @Test func aV2TreeWithoutControllersStillHoldsAndKillsTheContainer() async throws {
        guard HostRuntimeFixture.isRoot else { return }
        // This machine's unified tree has no cpu, memory or pids (v1 holds them): used as a
        // v2 host, it still groups and kills (cgroup.kill), and says what it cannot limit.
        let layout = CgroupLayout(mode: .v2, v1: [], unified: "/sys/fs/cgroup/unified")
        try await HostRuntimeFixture.run(configure: { $0.cgroupLayout = layout }) { f in
            #expect(f.runtime.cgroupProblem == "cgroup v2 controllers not available: cpu, memory, pids (those limits are not set)")
            let script = "setsid sh -c 'trap \"\" TERM; exec sleep 1000' & echo $!; wait"
            let c = try await f.create(["/bin/sh", "-c", script])
            try await f.runtime.startContainer(c.container)
            let main = try #require(try await f.runtime.containerStatus(c.container).pid)
            let root = try #require(f.runtime.cgroups?.root)
            #expect(try String(contentsOfFile: "/proc/\(main)/cgroup", encoding: .utf8).contains("0::/\(root)/poduid-demo/\(c.container)\n"))
            var grandchild: Int32?
            for _ in 0..<300 where grandchild == nil {
                grandchild = HostRuntimeFixture.messages(c.logPath).first.flatMap { Int32($0) }
                if grandchild == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            let pid = try #require(grandchild)
            try await f.runtime.stopContainer(c.container, timeout: 0.5)
            #expect(!HostRuntimeFixture.processExists(pid))
            let dir = "\(Self.mount)/unified/\(root)/poduid-demo/\(c.container)"
            #expect(HostRuntimeFixture.isDirectory(dir))
            try await f.runtime.removeContainer(c.container)
            #expect(!HostRuntimeFixture.isDirectory(dir))
        }
    }

    @Test func v2LimitFiles() throws {
        // The files a v2 cgroup would have, as plain files, to read back what is written.
        let dir = FileManager.default.temporaryDirectory.path + "/fake-v2-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Plain files are not truncated by the write (control files need not be): empty them.
        func emptyFiles() {
            for file in ["cpu.weight", "cpu.max", "memory.max", "memory.swap.max", "pids.max"] {
                #expect(FileManager.default.createFile(atPath: "\(dir)/\(file)", contents: Data()))
            }
        }
        emptyFiles()
        let h = CgroupHierarchy(mountPoint: "/unused", controllers: ["cpu", "memory", "pids"], isUnified: true)
        try CgroupLimits.write(LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 512,
                                                       memoryLimitInBytes: 67_108_864, pidsLimit: 64), to: dir, hierarchy: h)
        func read(_ file: String) -> String? { try? String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8) }
        #expect(read("cpu.weight") == "20")
        #expect(read("cpu.max") == "50000 100000")
        #expect(read("memory.max") == "67108864")
        #expect(read("memory.swap.max") == "0")
        #expect(read("pids.max") == "64")
        emptyFiles()
        try CgroupLimits.write(LinuxContainerResources(cpuQuota: -1, memoryLimitInBytes: 0, pidsLimit: -1), to: dir, hierarchy: h)
        #expect(read("cpu.max") == "max 100000")
        #expect(read("memory.max") == "max")
        #expect(read("pids.max") == "max")
    }

    @Test func aScoreBelowTheKubeletsIsSkippedWithoutCapSysResource() async throws {
        // This machine's root lacks CAP_SYS_RESOURCE: -997 would fail the start, so it is left out.
        if !HostRuntime.hasSysResource {
            #expect(HostRuntime.oomScoreAdj(-997) == nil)
        } else {
            #expect(HostRuntime.oomScoreAdj(-997) == -997)
        }
        #expect(HostRuntime.oomScoreAdj(1000) == 1000)
        #expect(HostRuntime.oomScoreAdj(5000) == 1000)
        #expect(HostRuntime.oomScoreAdj(nil) == nil)
    }

    static func statFields(_ pid: Int32) -> [Substring] {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return [] }
        return stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
    }

    /// Field 6 of /proc/<pid>/stat (index 3 after the command).
    static func sessionID(_ pid: Int32) -> String? {
        let f = statFields(pid)
        return f.count > 3 ? String(f[3]) : nil
    }

    static func command(_ pid: Int32) -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
