import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `apiserver backup --data-dir D --to FILE`: a consistent copy of D/skiff.db taken with
/// SQLite's online backup API, safe while the apiserver serves. Restore: docs/OPERATIONS.md.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database of a running (or stopped) apiserver to FILE.")

    @Option(help: "The apiserver's data directory (holds skiff.db).")
    var dataDir = "/var/lib/skiff/apiserver"

    @Option(help: "Where to write the copy (a single SQLite file; replaced if present).")
    var to: String

    func run() throws {
        let source = dataDir + "/skiff.db"
        do {
            try OnlineBackup.copy(from: source, to: to)
        } catch {
            throw BackupFailed(description: "backup of \(source) failed: \(error.message)")
        }
        keepOwner(of: source)
        print("backed up \(source) to \(to)")
    }

    /// Run as root against a stopped apiserver, SQLite may create skiff.db-wal/-shm owned by
    /// root, which the apiserver (its own user) could then not open: give them back.
    private func keepOwner(of db: String) {
        var st = stat()
        guard getuid() == 0, stat(db, &st) == 0, st.st_uid != 0 else { return }
        for suffix in ["-wal", "-shm"] { _ = chown(db + suffix, st.st_uid, st.st_gid) }
    }
}

struct BackupFailed: Error, CustomStringConvertible {
    var description: String
}
