import Foundation
import Testing
@testable import apiserver

@Suite struct SQLiteConnectionTests {
    /// A one-row read on the write connection must not leave a read transaction open: it
    /// would stop RESTART checkpoints and make the next BEGIN IMMEDIATE fail with
    /// SQLITE_BUSY while one waits (seen as "database is locked" under churn).
    @Test func scalarReadsLeaveNoTransactionOpen() throws {
        let dir = NSTemporaryDirectory() + "skiff-sqlite-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/skiff.db"
        let writer = try DatabaseSchema.openWriter(path: path)
        try writer.beginImmediate()
        try writer.exec("INSERT INTO log (rev, key, op, value, prev_rev) VALUES (1, '/k', 1, x'7b7d', 0)")
        try writer.exec("COMMIT")
        #expect(try writer.scalarInt("PRAGMA freelist_count") >= 0)
        let checkpointer = try DatabaseSchema.openCheckpointer(path: path)
        // First column of wal_checkpoint is 1 when the checkpoint could not finish.
        #expect(try checkpointer.scalarInt("PRAGMA wal_checkpoint(RESTART)") == 0)
        try writer.beginImmediate()
        try writer.exec("ROLLBACK")
    }
}
