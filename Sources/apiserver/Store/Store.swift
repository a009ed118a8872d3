import Foundation
import Logging
import Synchronization

/// Tunables of the store, each with its default.
struct StoreConfig: Sendable {
    /// Read connections kept open. Default 4.
    var readers = 4
    /// Compaction keeps at least this much history. Default 5 minutes.
    var historyWindowSeconds: Double = 300
    /// ... and at least this many newest revisions. Default 1000.
    var historyMinRevisions: Int64 = 1000
    /// How often compaction runs. Default 30 s.
    var compactionIntervalSeconds: Double = 30
}

/// The etcd-shaped store: one global revision, objects under keys, a revision log for
/// watch resumption, durable group-committed writes.
///
/// Thread-safety: any thread. Reads use pooled read connections; writes go through the
/// single `Writer`.
final class Store: Sendable {
    let path: String
    let config: StoreConfig
    let reads: ReadPool
    let writer: Writer
    let index: KeyIndex
    let checkpointer: Checkpointer
    let compactedRevision: Atomic<Int64>
    /// Stored objects lists have read, for tests that a list used the key index.
    let listedValueReads = Atomic<Int>(0)
    /// Threads for reads and update preparation, off Swift's cooperative pool; one per
    /// read connection, so a read waits for a connection only when the pool is busy.
    let blocking: BlockingPool

    /// Opens or creates the database at `path`. `publish` receives committed changes in
    /// revision order, on the writer thread; `observe` receives them too, before the
    /// writes are answered.
    /// `onFatal` hears (once) that a COMMIT failed in a way that may have reached the disk
    /// anyway; the store acknowledges nothing more, and the process should exit.
    init(path: String, config: StoreConfig = StoreConfig(), publish: @escaping @Sendable ([ChangeEvent]) -> Void,
         observe: @escaping @Sendable ([ChangeEvent]) -> Void = { _ in }, onFatal: @escaping @Sendable (String) -> Void = { _ in }) throws(Status) {
        self.path = path
        self.config = config
        do {
            let w = try DatabaseSchema.openWriter(path: path)
            // The log is the truth: never start below its newest row, whatever meta says.
            let current = max(try w.scalarInt("SELECT value FROM meta WHERE name = 'revision'"),
                              try w.scalarInt("SELECT COALESCE(MAX(rev), 0) FROM log"))
            let compacted = try w.scalarInt("SELECT value FROM meta WHERE name = 'compacted'")
            compactedRevision = Atomic(compacted)
            reads = try ReadPool(path: path, size: config.readers)
            blocking = BlockingPool(name: "store-reader", threads: config.readers)
            let idx = KeyIndex()
            try idx.load(w)
            index = idx
            let samples = try HistorySamples.load(w)
            writer = try Writer(db: w, revision: current, index: idx, publish: publish, observe: observe, onFatal: onFatal)
            writer.history.withLock { $0 = samples }
            let stopWriter = writer
            checkpointer = try Checkpointer(path: path, logger: Logger(label: "apiserver")) { why in
                _ = stopWriter.maintain { _, _ in stopWriter.stopAfterFatal(why) }
            }
        } catch {
            throw Status.internalError("cannot open the store at \(path): \(error)")
        }
    }

    /// The last committed revision.
    var revision: Int64 { writer.committed.load(ordering: .acquiring) }

    /// Runs `work` in the next batch and waits until that batch is durable.
    func mutate(_ work: @escaping @Sendable (WriteTransaction) throws(Status) -> WriteOutcome) async throws(Status) -> WriteOutcome {
        let r: Result<WriteOutcome, Status> = await withCheckedContinuation { c in
            writer.submit(Mutation(work: work, done: { c.resume(returning: $0) }))
        }
        return try r.get()
    }

    /// Queues `work`; `done` runs on the writer thread once the batch is durable.
    func submit(_ work: @escaping @Sendable (WriteTransaction) throws(Status) -> WriteOutcome,
                done: @escaping @Sendable (Result<WriteOutcome, Status>) -> Void) {
        writer.submit(Mutation(work: work, done: done))
    }

    /// Reads the log after `revision` (exclusive) up to `through` (inclusive) within `range`,
    /// at most `limit` changes, for watches resuming from before the in-memory history.
    func changes(in range: KeyRange, after revision: Int64, through: Int64, limit: Int = Int(Int32.max)) throws(Status) -> [ChangeEvent] {
        try reads.snapshot { c throws(Status) -> [ChangeEvent] in
            let (_, compacted) = try c.revisions()
            if revision < compacted { throw Status.gone("too old resource version: \(revision) (\(compacted))") }
            do {
                let s = try c.statement("SELECT rev, key, op, value, prev_rev FROM log WHERE rev > ? AND rev <= ? AND key >= ? AND key < ? ORDER BY rev LIMIT ?")
                s.bind(1, revision)
                s.bind(2, through)
                s.bind(3, range.lower)
                s.bind(4, range.upper)
                s.bind(5, Int64(limit))
                defer { s.reset() }
                var out: [ChangeEvent] = []
                let prev = try c.statement("SELECT value FROM log WHERE rev = ?")
                while try s.step() {
                    guard let key = ObjectKey(path: s.text(1)), let kind = ChangeEvent.Kind(rawValue: s.int(2)) else { continue }
                    let bytes = s.blob(3)
                    let prevRev = s.int(4)
                    var previousBytes: [UInt8]? = nil
                    if prevRev > 0 {
                        prev.reset()
                        prev.bind(1, prevRev)
                        if try prev.step() { previousBytes = prev.blob(0) }
                        prev.reset()
                    }
                    out.append(ChangeEvent(revision: s.int(0), key: key, kind: kind == .deleted ? .deleted : (prevRev == 0 ? .added : .modified),
                                           bytes: bytes, object: nil, previousBytes: kind == .deleted ? bytes : previousBytes, previous: nil))
                }
                return out
            } catch let st as Status {
                throw st
            } catch {
                throw Status.internalError("store read failed: \(error)")
            }
        }
    }

    /// Finishes queued writes and closes the database.
    func close() {
        writer.stop()
        checkpointer.stop()
        blocking.stop()
        reads.close()
    }
}
