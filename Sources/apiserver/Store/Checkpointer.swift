import Foundation
import Logging
import Synchronization

/// Copies WAL frames into the database file on its own thread and connection, so the
/// writer's commits never pay for a checkpoint (the writer runs with
/// `wal_autocheckpoint=0`).
///
/// Every `interval` it runs a PASSIVE checkpoint, which never blocks anyone. Under steady
/// writes a PASSIVE checkpoint never quite catches up, so the WAL would grow without end;
/// once the WAL file passes `restartBytes` it runs a RESTART checkpoint instead, which
/// waits for the writer between two batches, copies the few frames left, and makes the
/// next batch start the WAL from its beginning (`journal_size_limit`, also 16 MiB, then
/// trims the file).
final class Checkpointer: @unchecked Sendable {
    private let db: SQLiteConnection
    private let interval: Double
    private let walPath: String
    /// Default 16 MiB.
    private let restartBytes: Int
    private let stopped = Mutex(false)
    private let done = DispatchSemaphore(value: 0)
    let logger: Logger
    /// Hears (once) of a checkpoint that failed other than by waiting for a lock: after a
    /// failed fsync the kernel may have dropped the pages, so a retry that "succeeds" could
    /// lose acknowledged writes (PostgreSQL panics here for the same reason).
    private let onFatal: @Sendable (String) -> Void

    init(path: String, interval: Double = 0.5, restartBytes: Int = 16 << 20, logger: Logger,
         onFatal: @escaping @Sendable (String) -> Void = { _ in }) throws(SQLiteError) {
        db = try DatabaseSchema.openCheckpointer(path: path)
        self.onFatal = onFatal
        self.interval = interval
        self.walPath = path + "-wal"
        self.restartBytes = restartBytes
        self.logger = logger
        Self.start(self)
    }

    nonisolated private static func start(_ c: Checkpointer) {
        let t = Thread { c.loop() }
        t.name = "store-checkpointer"
        t.start()
    }

    private func loop() {
        while !stopped.withLock({ $0 }) {
            Thread.sleep(forTimeInterval: interval)
            do {
                try db.exec("PRAGMA wal_checkpoint(PASSIVE)")
                // Right after a PASSIVE pass few frames are left, so the RESTART that holds
                // writers back while it finishes is short.
                let size = (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
                if size > restartBytes {
                    let start = Timestamp.nowSeconds()
                    try db.exec("PRAGMA wal_checkpoint(RESTART)")
                    logger.debug("WAL restarted", metadata: ["walBytes": "\(size)", "ms": "\(Int((Timestamp.nowSeconds() - start) * 1000))"])
                }
            } catch {
                logger.warning("checkpoint failed", metadata: ["error": .string("\(error)")])
                if Writer.commitFailureIsFatal(error) {
                    onFatal("checkpoint: \(error)")
                    break
                }
            }
        }
        done.signal()
    }

    /// Stops the thread (after at most one interval).
    func stop() {
        stopped.withLock { $0 = true }
        done.wait()
    }
}
