import Foundation
import Testing
import Wire

/// An apiserver and one real kubelet (`kubelet run`) as separate processes, for pod tests.
/// `run` deletes every pod, waits for the kubelet to kill their processes, then stops both
/// and, as a last resort, kills any container process the runtime's records still name.
final class PodCluster: @unchecked Sendable {
    let fixture: Fixture
    private(set) var kubelet: Process
    let node: String
    let rootDir: String
    let client: Client

    var ctl: Ctl { fixture.ctl }
    var kubeletLog: String { (try? String(contentsOfFile: rootDir + ".log", encoding: .utf8)) ?? "" }

    private init(node: String, kubeletArgs: [String]) throws {
        fixture = try Fixture()
        self.node = node
        rootDir = fixture.dir.path + "/kubelet"
        _ = FileManager.default.createFile(atPath: rootDir + ".log", contents: nil)
        args = ["run", "--server", fixture.server.address.description, "--token", fixture.server.nodeToken, "--node-name", node,
                "--root-dir", rootDir, "--node-lease-duration", "4s", "--log-level", "debug"] + kubeletArgs
        client = Client(config: fixture.server.clientConfig())
        kubelet = try Self.launch(args, log: rootDir + ".log")
    }

    private let args: [String]

    /// Starts the kubelet binary with `args`, its output appended to the file at `path`.
    static func launch(_ args: [String], log path: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.path("kubelet"))
        p.arguments = args
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = log
        try p.run()
        return p
    }

    /// kill -9 the kubelet and start a new one with the same flags and root dir.
    func restartKubeletAfterKill9() throws {
        kill9Kubelet()
        try startKubelet()
    }

    /// kill -9 the kubelet (`startKubelet` starts the next one).
    func kill9Kubelet() {
        kill(kubelet.processIdentifier, SIGKILL)
        kubelet.waitUntilExit()
    }

    /// Starts a kubelet with the same flags and root dir (after `kill9Kubelet`).
    func startKubelet() throws {
        kubelet = try Self.launch(args, log: rootDir + ".log")
    }

    static func run(node: String = "node1", kubeletArgs: [String] = [], _ body: (PodCluster) async throws -> Void) async throws {
        let c = try PodCluster(node: node, kubeletArgs: kubeletArgs)
        do {
            try await c.waitForNodeReady()
            try await body(c)
        } catch {
            print("kubelet log:\n\(c.kubeletLog.suffix(4000))")
            await c.tearDown()
            throw error
        }
        await c.tearDown()
    }

    func waitForNodeReady() async throws {
        try await eventually(15, "node \(node) Ready") {
            let n = try await client.get(.nodes, name: node)
            return (n["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
        }
    }

    func tearDown() async {
        if let pods = try? await client.list(.pods, namespace: "default").items {
            for p in pods { _ = try? await client.delete(.pods, namespace: "default", name: p["metadata"]["name"].stringValue ?? "") }
        }
        // Every sandbox removed (its containers and UTS holder killed) before the kubelet stops.
        try? await eventually(10, "sandboxes removed") { sandboxRecords().isEmpty }
        kubelet.terminate()
        kubelet.waitUntilExit()
        for pid in containerPIDs() where processAlive(pid) { kill(-pid, SIGKILL) }
        for pid in holderPIDs() { kill(pid, SIGKILL) }
        client.close()
        fixture.close()
    }

    /// The sandboxes the runtime still has records of.
    func sandboxRecords() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: rootDir + "/runtime/host/sandboxes")) ?? []
    }

    /// Live UTS holders named by the runtime's holder.json records.
    func holderPIDs() -> [Int32] {
        sandboxRecords().compactMap { sandbox in
            guard let data = FileManager.default.contents(atPath: "\(rootDir)/runtime/host/sandboxes/\(sandbox)/holder.json"),
                  let json = try? JSON.parse(data), let pid = json["pid"].intValue, processAlive(Int32(pid)) else { return nil }
            return Int32(pid)
        }
    }

    /// The pids in the runtime's started.json records (every container this kubelet started
    /// that the runtime still knows).
    func containerPIDs() -> [Int32] {
        let base = rootDir + "/runtime/host/sandboxes"
        var out: [Int32] = []
        let fm = FileManager.default
        for sandbox in (try? fm.contentsOfDirectory(atPath: base)) ?? [] {
            let dir = "\(base)/\(sandbox)/containers"
            for c in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] {
                guard let data = fm.contents(atPath: "\(dir)/\(c)/started.json"), let json = try? JSON.parse(data),
                      let pid = json["pid"].intValue else { continue }
                out.append(Int32(pid))
            }
        }
        return out
    }

    func pod(_ name: String) async throws -> JSON { try await client.get(.pods, namespace: "default", name: name) }

    func create(_ pod: JSON) async throws -> JSON { try await client.create(.pods, namespace: "default", pod) }

    /// Polls the pod until `condition` holds for it; returns it.
    @discardableResult
    func waitFor(_ name: String, _ timeout: Double = 15, _ what: String, _ condition: (JSON) -> Bool) async throws -> JSON {
        let found = Locked<JSON?>(nil)
        try await eventually(timeout, "\(name): \(what)") {
            let p = try await pod(name)
            guard condition(p) else { return false }
            found.withLock { $0 = p }
            return true
        }
        return found.value ?? .null
    }

    /// Events about `pod`, as `reason: message` lines in creation order.
    func events(of pod: String) async throws -> [String] {
        let items = try await client.list(.events, namespace: "default").items
        return items.filter { $0["involvedObject"]["name"].stringValue == pod }
            .map { "\($0["reason"].stringValue ?? ""): \($0["message"].stringValue ?? "")" }
    }
}

/// Alive and not a zombie.
func processAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
}

extension JSON {
    /// The array element at `i`, `.null` when there is none.
    func at(_ i: Int) -> JSON {
        guard let a = arrayValue, i < a.count else { return .null }
        return a[i]
    }
}
