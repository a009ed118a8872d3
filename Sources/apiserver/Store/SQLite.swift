import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// SQLITE_CONSTRAINT, for telling a taken key apart from other failures.
let SQLITE_CONSTRAINT_CODE: Int32 = 19

/// A failure inside SQLite, with the statement or step that failed.
struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var description: String { "sqlite error \(code): \(message)" }
}

/// One SQLite connection. Not thread-safe: each connection belongs to one thread at a time
/// (the writer owns the write connection; read connections are lent out by `ReadPool`).
final class SQLiteConnection: @unchecked Sendable {
    let db: OpaquePointer
    private var cache: [String: SQLiteStatement] = [:]

    init(path: String, readOnly: Bool) throws(SQLiteError) {
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let h = handle else {
            let msg = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let h = handle { sqlite3_close_v2(h) }
            throw SQLiteError(code: rc, message: "open \(path): \(msg)")
        }
        db = h
        // Errors name their exact kind (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_FSYNC, ...).
        sqlite3_extended_result_codes(db, 1)
        // Wait out locks (a checkpoint restarting the WAL) in 100 µs steps for up to 10 s;
        // SQLite's own busy timeout sleeps in steps of up to 100 ms.
        sqlite3_busy_handler(db, { _, attempts in
            usleep(100)
            return attempts < 100_000 ? 1 : 0
        }, nil)
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(db)
    }

    /// Waits for a lock in 100 µs steps for at most about 200 ms instead of 10 s (for the
    /// checkpointer: it must catch the gaps between write batches, but never hold the
    /// writer back long behind a slow reader).
    func useShortBusyWait() {
        sqlite3_busy_handler(db, { _, attempts in
            usleep(100)
            return attempts < 2_000 ? 1 : 0
        }, nil)
    }

    /// False once SQLite has ended the open transaction (after COMMIT, or after rolling it
    /// back itself on an error such as a full disk).
    var inTransaction: Bool { sqlite3_get_autocommit(db) == 0 }

    /// Resets every cached statement, ending any read a half-stepped SELECT keeps open.
    /// Called whenever a connection is handed back, so no borrower sees a stale snapshot.
    func resetAll() {
        for s in cache.values { s.reset() }
    }

    func exec(_ sql: String) throws(SQLiteError) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(err)
            throw SQLiteError(code: rc, message: "\(msg) in: \(sql.prefix(80))")
        }
    }

    /// A prepared statement, cached per SQL text and reset before reuse.
    func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let s = cache[sql] {
            s.reset()
            return s
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let st = stmt else { throw error(rc, "prepare: \(sql.prefix(80))") }
        let s = SQLiteStatement(st, connection: self)
        cache[sql] = s
        return s
    }

    func error(_ rc: Int32, _ what: String) -> SQLiteError {
        SQLiteError(code: rc, message: "\(what): \(String(cString: sqlite3_errmsg(db)))")
    }

    /// Starts a write transaction. SQLite skips the busy handler when waiting could
    /// deadlock, so SQLITE_BUSY (any variant) is retried here until a 10 s deadline, with
    /// every cached statement reset first so this connection holds no read of its own.
    /// The deadline is wall-clock: a retry may itself wait in the busy handler.
    func beginImmediate() throws(SQLiteError) {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                try exec("BEGIN IMMEDIATE")
                return
            } catch {
                guard error.code & 0xFF == 5, ContinuousClock.now < deadline else { throw error }
                resetAll()
                usleep(1000)
            }
        }
    }

    /// Runs a single-value query such as `PRAGMA page_count`.
    /// Resets the statement before returning: a statement left on a row keeps a read
    /// transaction open, which holds checkpoints back and makes this connection's next
    /// `BEGIN IMMEDIATE` fail at once with SQLITE_BUSY (no busy handler for a connection
    /// that already reads) while a RESTART checkpoint waits for it.
    func scalarInt(_ sql: String) throws(SQLiteError) -> Int64 {
        let s = try statement(sql)
        defer { s.reset() }
        guard try s.step() else { return 0 }
        return s.int(0)
    }
}

final class SQLiteStatement {
    let stmt: OpaquePointer
    unowned let connection: SQLiteConnection

    init(_ stmt: OpaquePointer, connection: SQLiteConnection) {
        self.stmt = stmt
        self.connection = connection
    }

    deinit { sqlite3_finalize(stmt) }

    func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    func bind(_ i: Int32, _ v: Int64) { sqlite3_bind_int64(stmt, i, v) }

    func bind(_ i: Int32, _ v: String) {
        sqlite3_bind_text(stmt, i, v, -1, skiff_sqlite_transient())
    }

    func bind(_ i: Int32, _ v: [UInt8]) {
        v.withUnsafeBytes { b in
            _ = sqlite3_bind_blob(stmt, i, b.baseAddress, Int32(b.count), skiff_sqlite_transient())
        }
    }

    func bindNull(_ i: Int32) { sqlite3_bind_null(stmt, i) }

    /// Steps once: true if a row is available, false when done.
    @discardableResult
    func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw connection.error(rc, "step")
    }

    func int(_ col: Int32) -> Int64 { sqlite3_column_int64(stmt, col) }

    func text(_ col: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, col) else { return "" }
        let n = Int(sqlite3_column_bytes(stmt, col))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func blob(_ col: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, col))
        guard n > 0, let p = sqlite3_column_blob(stmt, col) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    func isNull(_ col: Int32) -> Bool { sqlite3_column_type(stmt, col) == SQLITE_NULL }
}
