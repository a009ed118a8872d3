import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Copies a live database with SQLite's online backup API (like `etcdctl snapshot save`).
/// Works while the apiserver writes: in WAL mode readers never block the writer, and a
/// step that meets a lock is retried. The copy is a single-file database (no -wal) that
/// is written to `path.tmp`, fsynced and renamed, so `path` is either absent or complete.
enum OnlineBackup {
    /// Pages copied per step; between steps the source lock is released so writes go on.
    static let pagesPerStep: Int32 = 1024

    static func copy(from sourcePath: String, to path: String) throws(SQLiteError) {
        guard access(sourcePath, F_OK) == 0 else {
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "no database at \(sourcePath)")
        }
        let source = try SQLiteConnection(path: sourcePath, readOnly: true)
        let tmp = path + ".tmp"
        unlink(tmp)
        do throws(SQLiteError) {
            let dest = try SQLiteConnection(path: tmp, readOnly: false)
            guard let backup = sqlite3_backup_init(dest.db, "main", source.db, "main") else {
                throw SQLiteError(code: sqlite3_errcode(dest.db), message: "backup init: " + String(cString: sqlite3_errmsg(dest.db)))
            }
            var rc: Int32 = SQLITE_OK
            while true {
                rc = sqlite3_backup_step(backup, pagesPerStep)
                if rc == SQLITE_DONE { break }
                let primary = rc & 0xff
                if rc == SQLITE_OK || primary == SQLITE_BUSY || primary == SQLITE_LOCKED {
                    usleep(rc == SQLITE_OK ? 0 : 10_000)
                    continue
                }
                break
            }
            let finish = sqlite3_backup_finish(backup)
            guard rc == SQLITE_DONE, finish == SQLITE_OK else {
                throw SQLiteError(code: rc == SQLITE_DONE ? finish : rc, message: "backup step: " + String(cString: sqlite3_errmsg(dest.db)))
            }
            // The copy inherits WAL mode; fold it into one file so it can be moved alone.
            try dest.exec("PRAGMA journal_mode=DELETE;")
            let check = try dest.statement("PRAGMA quick_check;")
            guard try check.step(), check.text(0) == "ok" else {
                throw SQLiteError(code: SQLITE_CORRUPT, message: "the copy failed its integrity check")
            }
            check.reset()
        } catch {
            unlink(tmp)
            throw error
        }
        let fd = open(tmp, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "rename \(tmp) to \(path): \(String(cString: strerror(e)))")
        }
    }
}
