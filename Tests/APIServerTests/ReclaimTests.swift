import Foundation
import Logging
import Testing
@testable import apiserver

/// Free pages go back to the file system in bounded rounds (`PRAGMA incremental_vacuum(N)`),
/// each a short chore on the writer.
@Suite struct ReclaimTests {
    /// Each reclaim round hands back at most the pages it is given.
    @Test func reclaimIsPaced() throws {
        let path = NSTemporaryDirectory() + "skiff-vacuum-\(UUID().uuidString.prefix(8)).db"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let db = try DatabaseSchema.openWriter(path: path)
        try db.exec("BEGIN")
        let insert = try db.statement("INSERT INTO log(rev, key, op, value, prev_rev) VALUES (?, 'k', 1, ?, 0)")
        for i in 1...600 {
            insert.reset()
            insert.bind(1, Int64(i))
            insert.bind(2, [UInt8](repeating: 7, count: 4000))
            try insert.step()
        }
        insert.reset()
        try db.exec("COMMIT")
        try db.exec("DELETE FROM log")
        let free = try db.scalarInt("PRAGMA freelist_count")
        #expect(free >= 600)
        let logger = Logger(label: "test")
        #expect(Compactor.reclaim(db, pages: 100, logger: logger))
        #expect(try db.scalarInt("PRAGMA freelist_count") == free - 100)
        var rounds = 1
        var more = true
        while more {
            more = Compactor.reclaim(db, pages: 100, onlyIfWorthIt: false, logger: logger)
            rounds += 1
        }
        #expect(try db.scalarInt("PRAGMA freelist_count") == 0)
        #expect(rounds == Int((free + 99) / 100))
    }
}
