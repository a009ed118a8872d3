import Foundation
import Synchronization
import Testing
import Wire

/// Where `swift build` put the executables: beside the test bundle.
enum Binaries {
    static let dir: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("apiserver").path) { return url.path }
            url = url.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug"
    }()

    static func path(_ name: String) -> String { dir + "/" + name }
}

/// A scratch directory removed when the test is done with it.
final class TempDir {
    let path: String

    init(_ label: String = "skiff") {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A real apiserver process on a loopback port the kernel picked.
final class APIServerProcess: @unchecked Sendable {
    let dataDir: String
    let logPath: String
    let extraArgs: [String]
    private(set) var process: Process
    private(set) var address: HostPort
    let adminToken: String
    let nodeToken: String

    init(dataDir: String, extraArgs: [String] = [], listen: String = "127.0.0.1:0") throws {
        self.dataDir = dataDir
        self.extraArgs = extraArgs
        logPath = dataDir + ".log"
        (process, address) = try Self.launch(dataDir: dataDir, listen: listen, extraArgs: extraArgs, logPath: logPath)
        adminToken = try String(contentsOfFile: dataDir + "/admin.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        nodeToken = try String(contentsOfFile: dataDir + "/node.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func launch(dataDir: String, listen: String, extraArgs: [String], logPath: String) throws -> (Process, HostPort) {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.path("apiserver"))
        p.arguments = ["--listen", listen, "--data-dir", dataDir] + extraArgs
        p.standardError = log
        p.standardOutput = log
        try p.run()
        let deadline = Date().addingTimeInterval(20)
        let start = (try? String(contentsOfFile: logPath, encoding: .utf8))?.count ?? 0
        while Date() < deadline {
            let text = String((try? String(contentsOfFile: logPath, encoding: .utf8))?.dropFirst(start) ?? "")
            if let line = text.split(separator: "\n").first(where: { $0.contains("apiserver serving") }),
               let r = line.range(of: "listen="), let hp = HostPort(String(line[r.upperBound...].split(separator: " ")[0])) {
                return (p, hp)
            }
            if !p.isRunning { throw HarnessError("apiserver exited at start: \(text)") }
            Thread.sleep(forTimeInterval: 0.02)
        }
        p.terminate()
        throw HarnessError("apiserver did not start within 20s")
    }

    var pid: Int32 { process.processIdentifier }

    /// Restarts on the same address and data dir (after `kill9` or `stop`).
    func restart() throws {
        (process, address) = try Self.launch(dataDir: dataDir, listen: address.description, extraArgs: extraArgs, logPath: logPath)
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL after 10 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill9() }
    }

    func clientConfig(token: String? = nil, nodeName: String? = nil) -> ClientConfig {
        ClientConfig(server: address, token: token ?? adminToken, nodeName: nodeName, clientName: "test", connectTimeoutMs: 5000,
                     requestTimeoutSeconds: 30)
    }

    func connect(token: String? = nil, nodeName: String? = nil) async throws -> WireConnection {
        try await WireConnection.connect(clientConfig(token: token, nodeName: nodeName))
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Output of one `ctl` run.
struct CtlResult {
    var stdout: String
    var stderr: String
    var code: Int32
}

/// Runs the real `ctl` binary against a server, with a private HOME.
struct Ctl {
    let server: APIServerProcess
    let home: String

    func run(_ args: [String], stdin: String? = nil, env extra: [String: String] = [:], useEnv: Bool = true) throws -> CtlResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.path("ctl"))
        p.arguments = args
        // TMPDIR inside the fixture: what ctl leaves in temp files (edit, diff) goes with it.
        var env = ["HOME": home, "PATH": "/usr/bin:/bin", "TMPDIR": home]
        if useEnv {
            env["SKIFF_SERVER"] = server.address.description
            env["SKIFF_TOKEN"] = server.adminToken
        }
        env.merge(extra) { $1 }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let inPipe = Pipe()
        p.standardInput = inPipe
        try p.run()
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
        try inPipe.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CtlResult(stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self), code: p.terminationStatus)
    }

    func ok(_ args: [String], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try run(args, stdin: stdin)
        #expect(r.code == 0, "ctl \(args.joined(separator: " ")) failed: \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout
    }
}

/// A running apiserver with a temp dir and a ctl, torn down by `close`.
final class Fixture: @unchecked Sendable {
    let dir: TempDir
    let server: APIServerProcess
    let ctl: Ctl

    init(extraArgs: [String] = []) throws {
        dir = TempDir()
        server = try APIServerProcess(dataDir: dir.path + "/data", extraArgs: extraArgs)
        try FileManager.default.createDirectory(atPath: dir.path + "/home", withIntermediateDirectories: true)
        ctl = Ctl(server: server, home: dir.path + "/home")
    }

    func close() {
        server.stop()
        dir.remove()
    }
}

/// Polls `condition` until true or `timeout` passes.
func eventually(_ timeout: Double = 10, _ what: String = "condition", _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw HarnessError("timed out waiting for \(what)")
}

/// Copies of `../shared/manifests` (unchanged Kubernetes examples), kept with the tests so
/// a fresh clone runs them.
let manifestsDir: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/manifests").path

/// A mutex-guarded value that closures can share (a `Mutex` itself cannot be captured).
final class Locked<T: Sendable>: Sendable {
    private let mutex: Mutex<T>
    init(_ value: T) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout T) -> R) -> R { mutex.withLock { body(&$0) } }
    var value: T { mutex.withLock { $0 } }
}
