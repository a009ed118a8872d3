#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import KubeletCore

/// A `host` runtime in a fresh temporary directory, with root also under a cgroup root of its
/// own (`skiff-test-<uuid>`). `run` removes every sandbox it made (which kills their
/// processes), the cgroups and the directory, also when the body throws.
struct HostRuntimeFixture {
    let root: String
    let runtime: HostRuntime

    var logDirectory: String { "\(root)/pods" }

    static func run(configure: (inout HostRuntimeConfig) -> Void = { _ in },
                    _ body: (HostRuntimeFixture) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.path + "/kubeletcore-\(UUID().uuidString)"
        var config = HostRuntimeConfig(stateDirectory: root + "/state")
        if isRoot { config.cgroupRoot = "skiff-test-\(UUID().uuidString)" }
        configure(&config)
        let fixture = HostRuntimeFixture(root: root, runtime: try HostRuntime(config: config))
        do {
            try await body(fixture)
        } catch {
            await fixture.cleanUp()
            throw error
        }
        await fixture.cleanUp()
    }

    func cleanUp() async {
        for sandbox in (try? await runtime.listPodSandboxes()) ?? [] {
            try? await runtime.removePodSandbox(sandbox.id)
        }
        if let cgroups = runtime.cgroups { Self.removeCgroupTree(cgroups) }
        try? FileManager.default.removeItem(atPath: root)
    }

    func sandbox(_ name: String = "demo") -> PodSandboxConfig {
        PodSandboxConfig(name: name, namespace: "default", uid: "uid-\(name)", hostname: PodSandboxConfig.hostname(forPod: name),
                         logDirectory: "\(logDirectory)/default_\(name)")
    }

    /// Creates a sandbox and one container in it; returns their ids (not started).
    func create(_ command: [String], sandbox name: String = "demo", edit: (inout ContainerConfig) -> Void = { _ in }) async throws
        -> (sandbox: String, container: String, logPath: String) {
        let sandboxConfig = sandbox(name)
        let sandboxID = try await runtime.runPodSandbox(sandboxConfig)
        var config = ContainerConfig(name: "main", image: "busybox", command: command, logPath: "main/0.log")
        edit(&config)
        let id = try await runtime.createContainer(podSandboxID: sandboxID, config: config, sandboxConfig: sandboxConfig)
        return (sandboxID, id, "\(sandboxConfig.logDirectory)/\(config.logPath)")
    }

    /// Polls until the container reaches `state` (10 s at most).
    func wait(_ containerID: String, for state: ContainerState, runtime other: HostRuntime? = nil) async throws -> ContainerStatus {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let status = try await (other ?? runtime).containerStatus(containerID)
            if status.state == state || Date() > deadline { return status }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Polls until the log holds a record with `message` (10 s at most).
    func waitForLog(_ path: String, message: String) async throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.messages(path).contains(message) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The log's records without their timestamps: `stdout F out`.
    static func records(_ path: String) -> [String] {
        lines(path).map { String($0.dropFirst(31)) }
    }

    static func messages(_ path: String) -> [String] {
        records(path).map { String($0.dropFirst(9)) }
    }

    static func lines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    static var isRoot: Bool { geteuid() == 0 }

    /// Kills what is left below the manager's root and removes its directories, deepest first
    /// (what removePodSandbox should already have done; this also covers a failed test).
    static func removeCgroupTree(_ cgroups: CgroupManager) {
        for h in cgroups.hierarchies {
            let top = "\(h.mountPoint)/\(cgroups.root)"
            let below = (try? FileManager.default.subpathsOfDirectory(atPath: top)) ?? []
            for dir in below.map({ "\(top)/\($0)" }).filter(isDirectory).sorted(by: { $0.count > $1.count }) + [top] {
                for pid in (try? String(contentsOfFile: "\(dir)/cgroup.procs", encoding: .utf8))?.split(separator: "\n").compactMap({ Int32($0) }) ?? [] {
                    kill(pid, SIGKILL)
                }
                for _ in 0..<200 where rmdir(dir) != 0 && errno == EBUSY { usleep(10_000) }
            }
        }
        cgroups.removeRootIfEmpty()
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    static func processExists(_ pid: Int32) -> Bool {
        // A zombie is not alive: read the state letter.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
    }
}
