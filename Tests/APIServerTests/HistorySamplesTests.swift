import Foundation
import Testing
@testable import apiserver

/// The history window survives restarts: samples of (time, revision) are stored by the
/// compactor and loaded at start, so a hub restarted more often than the window still
/// compacts what is older than it.
@Suite struct HistorySamplesTests {
    @Test func revisionsWrittenBeforeARestartKeepTheirAge() async throws {
        let dir = NSTemporaryDirectory() + "skiff-history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/skiff.db"
        // A database as an earlier run left it: revision 50, and a sample saying revision 40
        // was current eight minutes ago (the window is 5).
        do {
            let db = try DatabaseSchema.openWriter(path: path)
            try db.exec("UPDATE meta SET value = 50 WHERE name = 'revision'")
            let eightMinutesAgo = Int64((Date().timeIntervalSince1970 - 480) * 1000)
            try db.exec("INSERT INTO history(time_ms, rev) VALUES (\(eightMinutesAgo), 40)")
        }
        var config = StoreConfig()
        config.historyWindowSeconds = 300
        config.historyMinRevisions = 0
        let store = try Store(path: path, config: config) { _ in }
        let compactor = Compactor(store: store, logger: .init(label: "test"))
        // Just started: what was written eight minutes ago may go at once (before: nothing could
        // go until the hub had run for a whole window).
        #expect(compactor.target() == 40)
        // A run stores the current revision as a new sample for the next start.
        await compactor.run(upTo: 0)
        store.close()
        let db = try SQLiteConnection(path: path, readOnly: true)
        #expect(try db.scalarInt("SELECT rev FROM history ORDER BY time_ms DESC LIMIT 1") == 50)
        #expect(try db.scalarInt("SELECT COUNT(*) FROM history") == 2)
    }
}
