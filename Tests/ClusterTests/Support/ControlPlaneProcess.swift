import Foundation
import Wire

/// An `apiserver controllers` or `apiserver scheduler` process against a fixture's hub,
/// logging to a file beside the hub's log.
final class ControlPlaneProcess: @unchecked Sendable {
    let logPath: String
    let process = Process()

    /// `role`: "controllers" or "scheduler". `tokenFile`: pass the admin token as `@FILE`.
    init(_ role: String, server: APIServerProcess, name: String, tokenFile: Bool = false, extra: [String] = []) throws {
        logPath = server.dataDir + "-\(name).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: Binaries.path("apiserver"))
        process.arguments = [role, "--server", server.address.description,
                             "--token", tokenFile ? "@" + server.dataDir + "/admin.token" : server.adminToken] + extra
        process.standardError = log
        process.standardOutput = log
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The holderIdentity it logged at start.
    func identity() async throws -> String {
        var found = ""
        try await eventually(10, "the process to log its identity") {
            guard let line = self.log.split(separator: "\n").first(where: { $0.contains("campaigning for the lease") }),
                  let r = line.range(of: "identity=") else { return false }
            found = String(line[r.upperBound...].split(separator: " ")[0])
            return true
        }
        return found
    }

    var pid: Int32 { process.processIdentifier }

    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL after 10 s; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning { kill9() }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Runs `apiserver ARGS` to its end; (exit status, stderr).
func runAPIServerCommand(_ args: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Binaries.path("apiserver"))
    p.arguments = args
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    try p.run()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: e, as: UTF8.self))
}
