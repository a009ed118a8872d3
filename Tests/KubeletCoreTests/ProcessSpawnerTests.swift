#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import KubeletCore

/// The C spawn's child-side steps that the runtime tests do not show: cgroup joining, signal
/// reset, a session of its own.
@Suite(.serialized) struct ProcessSpawnerTests {
    @Test func childWritesItsPidIntoEveryCgroupProcsFile() throws {
        let dir = FileManager.default.temporaryDirectory.path + "/spawner-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Regular files stand in for cgroup.procs: the child writes its pid in decimal.
        for name in ["a", "b"] { _ = FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: nil) }
        let pid = try ProcessSpawner.spawn(SpawnRequest(argv: ["true"], env: [], cgroupProcs: ["\(dir)/a", "\(dir)/b"]))
        let process = try ChildProcess(pid: pid)
        #expect(process.reap() == ProcessExit(status: 0, signal: nil))
        #expect(try String(contentsOfFile: "\(dir)/a", encoding: .utf8) == "\(pid)")
        #expect(try String(contentsOfFile: "\(dir)/b", encoding: .utf8) == "\(pid)")
    }

    @Test func aCgroupThatCannotBeJoinedFailsTheStart() {
        #expect(throws: SpawnFailure.self) {
            _ = try ProcessSpawner.spawn(SpawnRequest(argv: ["true"], env: [], cgroupProcs: ["/nonexistent-cgroup/cgroup.procs"]))
        }
        do {
            _ = try ProcessSpawner.spawn(SpawnRequest(argv: ["true"], env: [], cgroupProcs: ["/nonexistent-cgroup/cgroup.procs"]))
        } catch {
            #expect(error.message == "joining cgroup failed: no such file or directory")
        }
    }

    @Test func signalsAreResetAndTheChildLeadsItsOwnSession() async throws {
        // Dispositions are process-wide: one ignored here must be default in the child.
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["grep", "-E", "^(SigBlk|SigIgn)", "/proc/self/status"])
            try await f.runtime.startContainer(c.container)
            _ = try await f.wait(c.container, for: .exited)
            #expect(HostRuntimeFixture.messages(c.logPath) == ["SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"])

            let s = try await f.create(["/bin/sh", "-c", "echo $$; cut -d' ' -f6 /proc/$$/stat"], sandbox: "session")
            try await f.runtime.startContainer(s.container)
            _ = try await f.wait(s.container, for: .exited)
            let lines = HostRuntimeFixture.messages(s.logPath)
            #expect(lines.count == 2 && lines.first == lines.last)
        }
    }
}
