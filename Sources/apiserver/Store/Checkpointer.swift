import Foundation
import Logging
import Synchronization

/// Copies WAL frames into the database file on its own thread and connection every
/// `interval`, so the writer's commits never pay for a checkpoint (the writer runs with
/// `wal_autocheckpoint=0`). PASSIVE mode: it never blocks the writer or readers.
final class Checkpointer: @unchecked Sendable {
    private let db: SQLiteConnection
    private let interval: Double
    private let stopped = Mutex(false)
    private let done = DispatchSemaphore(value: 0)
    let logger: Logger

    init(path: String, interval: Double = 0.5, logger: Logger) throws(SQLiteError) {
        db = try DatabaseSchema.openCheckpointer(path: path)
        self.interval = interval
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
            } catch {
                logger.warning("checkpoint failed", metadata: ["error": .string("\(error)")])
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
