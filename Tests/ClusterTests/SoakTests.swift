import Foundation
import Testing

/// scripts/soak for two minutes on two network-namespace hosts with real binaries: churn,
/// every kind of fault, and no invariant violated.
@Suite(.serialized)
struct SoakTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/soak").path

    /// `/bin/bash args` with stdout and stderr to `output`, an empty signal mask and default
    /// SIGTERM/SIGINT: the test's threads block SIGTERM and a child inherits that mask, so
    /// without this the script's trap (its cleanup on SIGTERM) would never run.
    static func spawnBash(_ args: [String], env: [String: String], output: String) throws -> pid_t {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGPIPE] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var files = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&files)
        defer { posix_spawn_file_actions_destroy(&files) }
        posix_spawn_file_actions_addopen(&files, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&files, 1, 2)
        let argv = (["/bin/bash"] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/bash", &files, &attr, argv, envp)
        if rc != 0 { throw HarnessError("posix_spawn bash: \(String(cString: strerror(rc)))") }
        return pid
    }

    @Test(.enabled(if: NetnsCluster.available))
    func twoMinuteSoakOnTwoHostsEndsWithoutViolations() throws {
        let dir = TempDir("skiff-soak-test")
        defer { dir.remove() }
        let log = dir.path + "/soak.out"
        var env = ProcessInfo.processInfo.environment
        env["SKIFF_BIN"] = Binaries.dir
        let pid = try Self.spawnBash([Self.script, "--duration", "120", "--hosts", "2"], env: env, output: log)
        // 120 s of churn, then usually ~20 s to converge, clean up and check the hosts.
        var status: Int32 = 0
        var exited = false
        let deadline = Date().addingTimeInterval(200)
        while !exited && Date() < deadline {
            exited = waitpid(pid, &status, WNOHANG) == pid
            if !exited { Thread.sleep(forTimeInterval: 0.5) }
        }
        if !exited {
            kill(pid, SIGTERM)  // the script removes what it started
            waitpid(pid, &status, 0)
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let summary = text.split(separator: "\n").first { $0.hasPrefix("soak summary: ") }.map(String.init) ?? ""
        #expect(exited, "soak still running after 200 s:\n\(text)")
        #expect(exited && (status & 0x7f) == 0 && (status >> 8) & 0xff == 0, "soak failed (wait status \(status)):\n\(text)")
        #expect(summary.hasPrefix("soak summary: duration=120s hosts=2 ops="), "\(text)")
        #expect(summary.contains(" violations=0 "), "\(text)")
    }
}
