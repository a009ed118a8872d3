import CLinuxShim
import Foundation
import Testing
import Wire

/// `ctl exec -i -t` through a real apiserver and kubelet: ctl runs on a pseudo-terminal the
/// test opens (as in a user's shell), the command on one the kubelet opens.
@Suite(.serialized) struct ExecTerminalTests {
    struct TerminalRun {
        var output: String
        var stderr: String
        var code: Int32
        /// The test terminal's settings once ctl exited.
        var after: termios
    }

    /// Runs ctl with stdin and stdout on a new terminal of 30 rows and 100 columns (stderr on
    /// a pipe); what the terminal showed.
    static func runOnTerminal(_ c: PodCluster, _ args: [String]) throws -> TerminalRun {
        var controller: Int32 = -1
        var terminal: Int32 = -1
        guard skiff_open_pty(&controller, &terminal, 30, 100) == 0 else { throw HarnessError("cannot open a terminal: errno \(errno)") }
        defer { close(controller) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.path("ctl"))
        p.arguments = args
        p.environment = ["HOME": c.fixture.dir.path + "/home", "PATH": "/usr/bin:/bin",
                         "SKIFF_SERVER": c.fixture.server.address.description, "SKIFF_TOKEN": c.fixture.server.adminToken]
        let handle = FileHandle(fileDescriptor: terminal, closeOnDealloc: false)
        p.standardInput = handle
        p.standardOutput = handle
        let err = Pipe()
        p.standardError = err
        do { try p.run() } catch {
            close(terminal)
            throw error
        }
        close(terminal)
        // Until ctl, the last holder of the terminal side, is gone (then EIO).
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(controller, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            output += buffer[0..<n]
        }
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        var after = termios()
        _ = tcgetattr(controller, &after)
        return TerminalRun(output: String(decoding: output, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self),
                           code: p.terminationStatus, after: after)
    }

    @Test func execWithATerminalShowsTheRemoteTerminalAndRestoresOurs() async throws {
        try await PodCluster.run { c in
            _ = try await c.create(PodLifecycleTests.pod("shell", command: ["sleep", "300"]))
            try await c.waitFor("shell", 15, "Running") { $0["status"]["phase"] == "Running" }

            let run = try Self.runOnTerminal(c, ["exec", "-i", "-t", "shell", "--", "sh", "-c", "tty; echo hi"])
            // CRLF as the remote terminal writes it; ours in raw mode adds no second \r.
            #expect(run.output.range(of: #"^/dev/pts/[0-9]+\r\nhi\r\n$"#, options: .regularExpression) != nil, "\(run.output.debugDescription)")
            #expect(run.stderr == "" && run.code == 0)
            // Our terminal is cooked again: line editing, echo and output processing back.
            #expect(run.after.c_lflag & tcflag_t(ICANON | ECHO) == tcflag_t(ICANON | ECHO))
            #expect(run.after.c_oflag & tcflag_t(OPOST) == tcflag_t(OPOST))

            // Our terminal's size is the remote one's; the exit code passes through.
            let sized = try Self.runOnTerminal(c, ["exec", "-it", "shell", "--", "sh", "-c", "stty size; exit 3"])
            #expect(sized.output == "30 100\r\n")
            #expect(sized.stderr == "command terminated with exit code 3\n" && sized.code == 3)
            #expect(sized.after.c_lflag & tcflag_t(ICANON | ECHO) == tcflag_t(ICANON | ECHO))

            // As kubectl: -i -t with stdin not a terminal warns and runs without one; -t alone
            // runs without one, silently; output as without -t.
            let piped = try c.ctl.run(["exec", "-i", "-t", "shell", "--", "sh", "-c", "tty; echo hi"])
            #expect(piped.stdout == "not a tty\nhi\n" && piped.code == 0)
            #expect(piped.stderr == "Unable to use a TTY - input is not a terminal or the right kind of file\n")
            let alone = try c.ctl.run(["exec", "-t", "shell", "--", "sh", "-c", "tty >/dev/null || echo no terminal"])
            #expect(alone.stdout == "no terminal\n" && alone.stderr == "" && alone.code == 0)
        }
    }
}
