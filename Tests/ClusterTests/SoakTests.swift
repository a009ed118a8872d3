import Foundation
import Testing

/// scripts/soak for two minutes on two network-namespace hosts with real binaries: churn,
/// every kind of fault, and no invariant violated.
@Suite(.serialized)
struct SoakTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/soak").path

    @Test(.enabled(if: NetnsCluster.available))
    func twoMinuteSoakOnTwoHostsEndsWithoutViolations() throws {
        let dir = TempDir("skiff-soak-test")
        defer { dir.remove() }
        let log = dir.path + "/soak.out"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Self.script, "--duration", "120", "--hosts", "2"]
        var env = ProcessInfo.processInfo.environment
        env["SKIFF_BIN"] = Binaries.dir
        p.environment = env
        p.standardOutput = out
        p.standardError = out
        try p.run()
        // 120 s of churn, at most ~60 s to converge and clean up; SIGTERM makes the script clean up.
        let deadline = Date().addingTimeInterval(200)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.5) }
        let timedOut = p.isRunning
        if timedOut { p.terminate() }
        p.waitUntilExit()
        try? out.close()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let summary = text.split(separator: "\n").first { $0.hasPrefix("soak summary: ") }.map(String.init) ?? ""
        #expect(!timedOut, "soak still running after 200 s:\n\(text)")
        #expect(p.terminationStatus == 0, "soak failed:\n\(text)")
        #expect(summary.hasPrefix("soak summary: duration=120s hosts=2 ops="), "\(text)")
        #expect(summary.contains(" violations=0 "), "\(text)")
    }
}
