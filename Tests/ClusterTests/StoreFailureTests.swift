import Foundation
import Testing
import Wire

/// A COMMIT that fails with an I/O error may still have reached the disk (WAL frames can
/// survive a failed fsync and replay at restart), so the apiserver must not answer
/// "nothing was written": it answers "outcome unknown", acknowledges nothing more, and
/// exits; at restart everything it had acknowledged is there.
@Suite(.serialized) struct StoreFailureTests {
    @Test func failedCommitStopsTheAPIServerAndKeepsWhatItAcknowledged() async throws {
        let dir = TempDir("skiff-full")
        defer { dir.remove() }
        let data = dir.path + "/data"
        // Every file the apiserver writes may grow to 2 MiB (RLIMIT_FSIZE; SIGXFSZ ignored,
        // so a write past it fails with EFBIG as on a full disk). Objects are committed into
        // the WAL, so the WAL reaches the limit at a COMMIT.
        let (limited, address) = try launchLimited(dataDir: data, logPath: dir.path + "/limited.log", fileSizeKB: 2048)
        defer { if limited.isRunning { limited.terminate() } }
        let token = try String(contentsOfFile: data + "/admin.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let conn = try await WireConnection.connect(ClientConfig(server: address, token: token, clientName: "test", requestTimeoutSeconds: 30))
        var acknowledged: [String] = []
        var failure: Status? = nil
        for i in 0..<100 {
            var req = Request(verb: .create, resource: "configmaps", namespace: "default")
            req.object = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("c\(i)")],
                          "data": ["blob": .string(String(repeating: "x", count: 64 << 10))]]
            do {
                _ = try await conn.request(req)
                acknowledged.append("c\(i)")
            } catch {
                failure = error
                break
            }
        }
        conn.close()
        #expect(acknowledged.count >= 5)
        #expect(failure?.code == 500)
        #expect(failure?.message.contains("whether it was written is unknown") == true, "\(String(describing: failure))")
        let deadline = Date().addingTimeInterval(10)
        while limited.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!limited.isRunning, "the apiserver kept running after a failed commit")
        if !limited.isRunning { #expect(limited.terminationStatus == 1) }
        let log = (try? String(contentsOfFile: dir.path + "/limited.log", encoding: .utf8)) ?? ""
        #expect(log.contains("the store failed to commit a write batch; exiting"))

        // Without the limit, SQLite's recovery decides; everything acknowledged is there.
        let server = try APIServerProcess(dataDir: data, extraArgs: ["--no-controllers"])
        defer { server.stop() }
        let client = Client(config: server.clientConfig())
        defer { client.close() }
        let (items, _) = try await client.list(.configMaps, namespace: "default")
        let names = Set(items.compactMap { $0["metadata"]["name"].stringValue })
        for name in acknowledged { #expect(names.contains(name), "acknowledged \(name) is missing after restart") }
        _ = try await client.create(.configMaps, namespace: "default", ["metadata": ["name": "after-restart"]])
    }

    /// The apiserver under `ulimit -f`, with SIGXFSZ ignored (ignored signals stay ignored
    /// across exec).
    func launchLimited(dataDir: String, logPath: String, fileSizeKB: Int) throws -> (Process, HostPort) {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", "trap '' XFSZ; ulimit -f \(fileSizeKB); exec \"$0\" \"$@\"", Binaries.path("apiserver"),
                       "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--no-controllers"]
        p.standardError = log
        p.standardOutput = log
        try p.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
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
}
