import Foundation
import Testing
import Wire

/// A SIGTERM at any moment after a daemon starts ends it within seconds: while it starts
/// (before it waits for the signal) as well as after. Each daemon is started several times
/// and sent SIGTERM after delays spread over its start-up, and the moment it logs that it
/// started (the apiserver used to lose half of those: it ignored SIGTERM from then until
/// its dispatch signal source was armed).
@Suite(.serialized) struct EarlySigtermTests {
    static let delaysMs = [0, 1, 3, 10, 20, 40, 70, 100, 150, 250, 400, 700]

    enum Trigger {
        case after(ms: Int)
        case logLine(String)
    }

    /// How a run ended: "exit 0", "signal 15" (SIGTERM came before the handler was
    /// installed, and its default action ended the process), or what went wrong.
    static func startAndTerminate(_ executable: String, _ args: [String], _ trigger: Trigger, log: String) throws -> String {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? out.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.path(executable))
        p.arguments = args
        p.standardOutput = out
        p.standardError = out
        try p.run()
        switch trigger {
        case .after(let ms): Thread.sleep(forTimeInterval: Double(ms) / 1000)
        case .logLine(let text):
            let until = Date().addingTimeInterval(10)
            while Date() < until, p.isRunning, !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains(text) {}
        }
        kill(p.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            return "still running 5s after SIGTERM"
        }
        p.waitUntilExit()
        return p.terminationReason == .exit ? "exit \(p.terminationStatus)" : "signal \(p.terminationStatus)"
    }

    @Test func apiserverEndsOnAnEarlySigterm() throws {
        let dir = TempDir("sigterm")
        defer { dir.remove() }
        let triggers = Self.delaysMs.map { Trigger.after(ms: $0) } + Array(repeating: .logLine("apiserver serving"), count: 12)
        for (i, trigger) in triggers.enumerated() {
            let ended = try Self.startAndTerminate("apiserver", ["--listen", "127.0.0.1:0", "--data-dir", "\(dir.path)/data\(i)"],
                                                   trigger, log: "\(dir.path)/apiserver\(i).log")
            #expect(ended == "exit 0" || ended == "signal 15", "SIGTERM \(trigger): \(ended)")
        }
    }

    @Test func kubeletEndsOnAnEarlySigterm() throws {
        let f = try Fixture()
        defer {
            f.close()
            CgroupCleanup.remove(under: "skiff-test-sigterm")
        }
        let triggers = Self.delaysMs.map { Trigger.after(ms: $0) } + Array(repeating: .logLine("kubelet starting"), count: 4)
        for (i, trigger) in triggers.enumerated() {
            let node = "early\(i)"
            let args = ["run", "--server", f.server.address.description, "--token", f.server.nodeToken, "--node-name", node,
                        "--root-dir", "\(f.dir.path)/kubelet\(i)", "--cgroup-root", "skiff-test-sigterm/\(node)"]
            let ended = try Self.startAndTerminate("kubelet", args, trigger, log: "\(f.dir.path)/kubelet\(i).log")
            #expect(ended == "exit 0" || ended == "signal 15", "SIGTERM \(trigger): \(ended)")
        }
    }
}
