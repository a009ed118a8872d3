import Foundation
import Testing
import Wire

/// A daemon process started with chosen stdio and an optional wrapper (prlimit), on a
/// loopback port picked beforehand (its log may be unreadable, so the port cannot come
/// from there).
final class WrappedDaemon: @unchecked Sendable {
    let process = Process()
    let address: HostPort
    let dataDir: String

    /// A port the kernel picked and nobody holds now.
    static func freePort() throws -> UInt16 {
        let fd = try Socket.listen(on: HostPort(host: "127.0.0.1", port: 0))
        defer { close(fd) }
        return try #require(Socket.localAddress(fd)).port
    }

    init(wrapper: [String] = [], args: [String], dataDir: String, stdout: Any, stderr: Any) throws {
        address = HostPort(host: "127.0.0.1", port: try Self.freePort())
        self.dataDir = dataDir
        let all = wrapper + [Binaries.path("apiserver"), "--listen", address.description, "--data-dir", dataDir] + args
        process.executableURL = URL(fileURLWithPath: all[0])
        process.arguments = Array(all.dropFirst())
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
    }

    /// Waits until the apiserver answers an admin request.
    func waitServing(_ seconds: Double = 20) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let t = try? String(contentsOfFile: dataDir + "/admin.token", encoding: .utf8) {
                let token = t.trimmingCharacters(in: .whitespacesAndNewlines)
                if (try? await answers(token: token)) == true { return token }
            }
            if !process.isRunning { throw HarnessError("the apiserver exited (status \(process.terminationStatus))") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("the apiserver did not answer within \(seconds)s")
    }

    /// A fresh connection gets the default namespace.
    func answers(token: String) async throws -> Bool {
        let c = try await WireConnection.connect(ClientConfig(server: address, token: token, clientName: "test", connectTimeoutMs: 2000,
                                                             requestTimeoutSeconds: 5))
        defer { c.close() }
        let ns = try await c.request(Request(verb: .get, resource: "namespaces", name: "default"))
        return ns.object["metadata"]["name"] == "default"
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// Logging must never kill a daemon: stderr a pipe nobody reads, or a full disk.
@Suite(.serialized) struct UnwritableLogTests {
    /// Makes the apiserver log (a client that sends garbage is logged as a protocol error).
    func provokeLogLines(_ address: HostPort) throws {
        for _ in 0..<5 {
            let fd = try Socket.connect(to: address, timeoutMs: 2000)
            let junk = Array("\u{0}\u{0}\u{0}\u{4}nope".utf8)
            _ = junk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            usleep(50_000)
            close(fd)
        }
    }

    @Test func apiserverKeepsServingWhenStderrIsAClosedPipe() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let pipe = Pipe()
        let d = try WrappedDaemon(args: ["--log-level", "debug"], dataDir: dir.path + "/data", stdout: pipe, stderr: pipe)
        defer { d.stop() }
        // Nobody reads: every log line now meets EPIPE (and SIGPIPE, unless ignored).
        try pipe.fileHandleForReading.close()
        let token = try await d.waitServing()
        try provokeLogLines(d.address)
        #expect(try await d.answers(token: token))
        #expect(d.process.isRunning)
    }

    @Test func apiserverKeepsServingWhenStderrIsFull() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let d = try WrappedDaemon(args: ["--log-level", "debug"], dataDir: dir.path + "/data", stdout: full, stderr: full)
        defer { d.stop() }
        let token = try await d.waitServing()
        try provokeLogLines(d.address)
        #expect(try await d.answers(token: token))
        #expect(d.process.isRunning)
    }
}
