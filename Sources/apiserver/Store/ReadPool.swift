import Foundation
import Synchronization

/// Read connections lent out one caller at a time. WAL lets them read beside the writer,
/// each inside its own snapshot.
///
/// Thread-safety: any thread. A borrower holds a connection only for the duration of the
/// closure it passes, and never across an `await`.
final class ReadPool: @unchecked Sendable {
    private let free = Mutex<[SQLiteConnection]>([])
    private let available: DispatchSemaphore

    init(path: String, size: Int) throws(SQLiteError) {
        var conns: [SQLiteConnection] = []
        for _ in 0..<size { conns.append(try DatabaseSchema.openReader(path: path)) }
        free.withLock { $0 = conns }
        available = DispatchSemaphore(value: size)
    }

    func withConnection<R>(_ body: (SQLiteConnection) throws(Status) -> R) throws(Status) -> R {
        available.wait()
        guard let c = free.withLock({ $0.popLast() }) else {
            available.signal()
            throw Status.unavailable("the store is closed")
        }
        defer {
            c.resetAll()
            free.withLock { $0.append(c) }
            available.signal()
        }
        return try body(c)
    }

    /// Runs `body` inside one read transaction: every query sees the same snapshot.
    func snapshot<R>(_ body: (SQLiteConnection) throws(Status) -> R) throws(Status) -> R {
        try withConnection { c throws(Status) -> R in
            do { try c.exec("BEGIN") } catch { throw Status.internalError("store read failed: \(error)") }
            defer {
                c.resetAll()
                try? c.exec("COMMIT")
            }
            return try body(c)
        }
    }

    func close() { free.withLock { $0.removeAll() } }
}

extension SQLiteConnection {
    /// The committed revision and compacted revision as this connection's snapshot sees them.
    func revisions() throws(Status) -> (current: Int64, compacted: Int64) {
        do {
            let s = try statement("SELECT name, value FROM meta WHERE name IN ('revision', 'compacted')")
            var cur: Int64 = 0, comp: Int64 = 0
            while try s.step() {
                if s.text(0) == "revision" { cur = s.int(1) } else { comp = s.int(1) }
            }
            return (cur, comp)
        } catch {
            throw Status.internalError("store read failed: \(error)")
        }
    }
}
