import Foundation
import Testing
import TestSupport
import Wire

/// An apiserver with a small open-file limit (256, set by prlimit; with CAP_SYS_RESOURCE
/// dropped so a root process cannot raise it again) under more connections than it can
/// take: it refuses the extras cleanly, logs that at most about once a second, does not
/// crash, and serves a new client once the extras are gone.
@Suite(.serialized) struct FileLimitTests {
    static var wrapper: [String] {
        var w = ["/usr/bin/prlimit", "--nofile=256:256"]
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            w += ["/usr/bin/setpriv", "--inh-caps=-sys_resource", "--bounding-set=-sys_resource", "--"]
        }
        return w
    }

    /// Opens `n` raw connections (no hello), waits, and returns them split into those the
    /// server already closed (refused) and those still open.
    static func flood(_ address: HostPort, _ n: Int) throws -> (closed: [Int32], open: [Int32]) {
        var fds: [Int32] = []
        for _ in 0..<n {
            if let fd = try? Socket.connect(to: address, timeoutMs: 2000) { fds.append(fd) }
        }
        Thread.sleep(forTimeInterval: 1.5)
        var closed: [Int32] = [], open: [Int32] = []
        for fd in fds {
            var buf = [UInt8](repeating: 0, count: 4096)
            let r = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { open.append(fd) } else { closed.append(fd) }
        }
        return (closed, open)
    }

    static func countLines(_ log: String, _ needle: String) -> Int {
        log.split(separator: "\n").filter { $0.contains(needle) }.count
    }

    func run(extraArgs: [String], connections: Int, check: (String, Int) -> Void) async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let logPath = dir.path + "/apiserver.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let d = try WrappedDaemon(wrapper: Self.wrapper, args: ["--handshake-timeout", "60s"] + extraArgs,
                                  dataDir: dir.path + "/data", stdout: log, stderr: log)
        defer { d.stop() }
        let token = try await d.waitServing()
        let (closed, open) = try await offThread { try Self.flood(d.address, connections) }
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(d.process.isRunning, "the apiserver died: \(text.suffix(2000))")
        check(text, closed.count)
        #expect(open.count + closed.count == connections)
        for fd in closed + open { close(fd) }
        // The extras are gone: a new client is served.
        try await eventually(10, "a new client served") { try await d.answers(token: token) }
        #expect(d.process.isRunning)
    }

    /// Started with a soft limit below its hard one, the apiserver raises the soft limit
    /// to the hard one (as Go daemons do) and says so.
    @Test func theSoftLimitIsRaisedToTheHardOne() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let logPath = dir.path + "/apiserver.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        var wrapper = ["/usr/bin/prlimit", "--nofile=256:4096"]
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            wrapper += ["/usr/bin/setpriv", "--inh-caps=-sys_resource", "--bounding-set=-sys_resource", "--"]
        }
        let d = try WrappedDaemon(wrapper: wrapper, args: [], dataDir: dir.path + "/data", stdout: log, stderr: log)
        defer { d.stop() }
        _ = try await d.waitServing()
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(text.contains("msg=\"open-file limit\"") && text.contains("hard=4096") && text.contains("soft=4096"), "\(text.prefix(2000))")
    }

    @Test func connectionsPastTheCapAreRefusedNotCrashed() async throws {
        try await run(extraArgs: ["--max-connections", "100"], connections: 200) { log, refused in
            #expect(log.contains("maxConnections=100"), "\(log.prefix(1000))")
            #expect(refused >= 100, "only \(refused) of 200 refused")
            let lines = Self.countLines(log, "connection refused: at --max-connections")
            #expect(lines >= 1 && lines <= 4, "\(lines) refusal lines")
        }
    }

    @Test func runningOutOfDescriptorsRefusesConnectionsNotCrashes() async throws {
        // 256 descriptors: connections may use 256 - 128 (the default cap, and the process's
        // descriptor budget); the rest are refused before the kernel's limit is met.
        try await run(extraArgs: [], connections: 400) { log, refused in
            #expect(log.contains("maxConnections=128"), "\(log.prefix(1000))")
            #expect(refused >= 400 - 128, "only \(refused) of 400 refused")
            let lines = Self.countLines(log, "accept failed") + Self.countLines(log, "connection refused")
            #expect(lines >= 1 && lines <= 6, "\(lines) accept-failure lines")
        }
    }

    /// `kubelet simulate` with more nodes than descriptors: it dials only as many connections
    /// as its budget allows (limit minus 128), so the process never meets EMFILE (where
    /// libdispatch traps) and keeps running until its --duration ends.
    @Test func simulatorStaysUnderItsDescriptorLimit() async throws {
        let f = try Fixture()
        defer { f.close() }
        let log = f.dir.path + "/sim.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.wrapper[0])
        p.arguments = Array(Self.wrapper.dropFirst()) + [Binaries.path("kubelet"), "simulate", "--nodes", "300", "--server", f.server.address.description,
                                                         "--token", f.server.nodeToken, "--ramp-up", "2s", "--duration", "8s", "--log-level", "error"]
        p.standardOutput = h
        p.standardError = h
        try p.run()
        var most = 0
        while p.isRunning {
            let n = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(p.processIdentifier)/fd").count) ?? 0
            most = max(most, n)
            try await Task.sleep(for: .milliseconds(100))
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(p.terminationReason == .exit && p.terminationStatus == 0, "\(text.suffix(2000))")
        #expect(most > 100 && most <= 256 - 64, "at most \(most) descriptors open")
        #expect(text.contains("renew final"))
    }
}
