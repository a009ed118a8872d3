import Foundation
import Testing
import Wire

/// `apiserver backup` while the apiserver serves and writes, then the documented restore
/// (stop, replace skiff.db, remove -wal/-shm, start); the plain `apiserver --listen` form
/// still runs the server now that `apiserver` has subcommands.
@Suite(.serialized) struct BackupTests {
    /// Runs the apiserver binary to completion; returns (exit code, stdout, stderr).
    func apiserver(_ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.path("apiserver"))
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func backupWhileServingThenRestore() async throws {
        let f = try Fixture()
        defer { f.close() }
        let client = Client(config: f.server.clientConfig())
        for i in 0..<50 {
            _ = try await client.create(.configMaps, namespace: "default", ["metadata": ["name": .string("before-\(i)")], "data": ["i": .string(String(i))]])
        }
        // Writes keep going on another connection while the backup runs.
        let conn = try await f.server.connect()
        let writer = Task {
            var i = 0
            while !Task.isCancelled {
                var req = Request(verb: .create, resource: "configmaps", namespace: "default")
                req.object = ["metadata": ["name": .string("during-\(i)")], "data": ["pad": .string(String(repeating: "x", count: 2000))]]
                guard (try? await conn.request(req)) != nil else { return i }
                i += 1
            }
            return i
        }
        try await Task.sleep(for: .milliseconds(300))
        let file = f.dir.path + "/snapshot.db"
        let (code, out, err) = try apiserver(["backup", "--data-dir", f.server.dataDir, "--to", file])
        writer.cancel()
        let during = await writer.value
        #expect(code == 0, "backup failed: \(err)")
        #expect(out == "backed up \(f.server.dataDir)/skiff.db to \(file)\n")
        #expect(during > 0, "no write happened while the backup ran")
        #expect(!FileManager.default.fileExists(atPath: file + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: file + ".tmp"))
        _ = try await client.create(.configMaps, namespace: "default", ["metadata": ["name": "after-backup"]])
        client.close()

        // Restore as docs/OPERATIONS.md says.
        f.server.stop()
        let db = f.server.dataDir + "/skiff.db"
        let fm = FileManager.default
        try fm.removeItem(atPath: db)
        try? fm.removeItem(atPath: db + "-wal")
        try? fm.removeItem(atPath: db + "-shm")
        try fm.copyItem(atPath: file, toPath: db)
        try f.server.restart()
        let restored = Client(config: f.server.clientConfig())
        defer { restored.close() }
        let (items, _) = try await restored.list(.configMaps, namespace: "default")
        let names = Set(items.compactMap { $0["metadata"]["name"].stringValue })
        for i in 0..<50 { #expect(names.contains("before-\(i)"), "before-\(i) missing after restore") }
        #expect(!names.contains("after-backup"))
        let cm = try await restored.get(.configMaps, namespace: "default", name: "before-7")
        #expect(cm["data"]["i"].stringValue == "7")
        // The restored store takes writes.
        _ = try await restored.create(.configMaps, namespace: "default", ["metadata": ["name": "after-restore"]])
    }

    @Test func backupOfMissingDatabaseFailsAndWritesNothing() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (code, out, err) = try apiserver(["backup", "--data-dir", dir.path + "/nope", "--to", dir.path + "/copy.db"])
        #expect(code == 1)
        #expect(out == "")
        #expect(err == "Error: backup of \(dir.path)/nope/skiff.db failed: no database at \(dir.path)/nope/skiff.db\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/copy.db"))
    }

    @Test func plainFormAndVersionStillWork() throws {
        // Fixture starts `apiserver --listen 127.0.0.1:0 --data-dir D` (no subcommand).
        let f = try Fixture()
        defer { f.close() }
        #expect(f.server.log.contains("apiserver serving"))
        let (code, out, _) = try apiserver(["--version"])
        #expect(code == 0)
        #expect(out == "v0.1.0\n")
        let (badCode, _, badErr) = try apiserver(["--listen", "nonsense", "--data-dir", f.dir.path + "/other"])
        #expect(badCode == 64)
        #expect(badErr.contains("Error: --listen must be HOST:PORT, got \"nonsense\""))
    }
}
