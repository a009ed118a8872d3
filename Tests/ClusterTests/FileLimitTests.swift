import Foundation
import Testing
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

    @Test func connectionsPastTheCapAreRefusedNotCrashed() async throws {
        // 256 descriptors: the default cap is 256 - 128 = 128 connections.
        try await run(extraArgs: [], connections: 200) { log, refused in
            #expect(log.contains("maxConnections=128"), "\(log.prefix(1000))")
            #expect(refused >= 200 - 128, "only \(refused) of 200 refused")
            let lines = Self.countLines(log, "connection refused: at --max-connections")
            #expect(lines >= 1 && lines <= 4, "\(lines) refusal lines")
        }
    }

    @Test func runningOutOfDescriptorsRefusesConnectionsNotCrashes() async throws {
        // No cap below the descriptor limit: accept4 meets EMFILE.
        try await run(extraArgs: ["--max-connections", "100000"], connections: 400) { log, refused in
            #expect(refused >= 400 - 256, "only \(refused) of 400 refused")
            let lines = Self.countLines(log, "accept failed")
            #expect(lines >= 1 && lines <= 4, "\(lines) accept-failure lines")
            #expect(log.contains("Too many open files"))
        }
    }
}
