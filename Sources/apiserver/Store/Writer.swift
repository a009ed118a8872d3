import Foundation
import Synchronization

/// What a mutation hands back: the object as written (or as found, for a no-op).
struct WriteOutcome: Sendable {
    var bytes: [UInt8]
    var revision: Int64
    /// False when the mutation found nothing to change and wrote nothing.
    var wrote: Bool = true
    var warnings: [String] = []
    /// The object was no longer at the revision the change was computed from; nothing was
    /// written (see `APIService.guaranteedUpdate`).
    var stale = false
}

/// A unit of work for the writer: `work` runs on the writer thread inside a batch;
/// `done` runs after the batch commits (or fails), in submission order.
struct Mutation: Sendable {
    var work: @Sendable (WriteTransaction) throws(Status) -> WriteOutcome
    var done: @Sendable (Result<WriteOutcome, Status>) -> Void
}

/// The one owner of the SQLite write connection. Mutations queue up while a batch commits;
/// the next batch takes all of them in one transaction (group commit), so throughput comes
/// from batching, not from relaxing `synchronous=FULL`.
///
/// Thread-safety: `submit` from any thread; everything else runs on the writer thread.
final class Writer: @unchecked Sendable {
    private let db: SQLiteConnection
    private let namespaces = NamespaceIndex()
    private let cond = NSCondition()
    private var queue: [Mutation] = []
    private var maintenance: [@Sendable (SQLiteConnection, Int64) -> Void] = []
    private var stopping = false
    private var stopped = false
    /// Set (writer thread only) when a COMMIT failed in a way that may still leave it on
    /// disk: from then on the writer acknowledges nothing.
    private var failed = false
    /// Told once, after the failed batch was answered: the process should exit so that
    /// SQLite's recovery decides at restart what was written (as PostgreSQL and etcd do
    /// after a failed fsync).
    private let onFatal: @Sendable (String) -> Void
    /// Last committed revision; read by others through `Store`.
    let committed: Atomic<Int64>
    private let publish: @Sendable ([ChangeEvent]) -> Void
    /// Hears each committed batch's changes before its writes are answered (the node graph).
    private let observe: @Sendable ([ChangeEvent]) -> Void
    /// (time, revision) samples, one a second, for the compaction window.
    let history = Mutex<[(Double, Int64)]>([])
    let batchSizes = Mutex<(batches: Int, mutations: Int)>((0, 0))

    /// Answers and fan-out for committed batches run here, in commit order, so the writer
    /// can start the next batch while the last one's responses go out.
    private let completions = SerialWorker(name: "store-completions")

    let index: KeyIndex

    /// Throws if the namespace index cannot be loaded: without it every namespaced create
    /// would be refused as if its namespace did not exist.
    init(db: SQLiteConnection, revision: Int64, index: KeyIndex, publish: @escaping @Sendable ([ChangeEvent]) -> Void,
         observe: @escaping @Sendable ([ChangeEvent]) -> Void = { _ in },
         onFatal: @escaping @Sendable (String) -> Void = { _ in }) throws(SQLiteError) {
        self.db = db
        self.committed = Atomic(revision)
        self.publish = publish
        self.observe = observe
        self.onFatal = onFatal
        self.index = index
        do {
            try namespaces.load(db, index: index)
        } catch {
            throw SQLiteError(code: error.code, message: "cannot load the namespace index: \(error.message)")
        }
        Self.startThread(self)
    }

    nonisolated private static func startThread(_ w: Writer) {
        let t = Thread { w.run() }
        t.name = "store-writer"
        t.start()
    }

    func submit(_ m: Mutation) {
        cond.lock()
        if stopping {
            cond.unlock()
            m.done(.failure(.unavailable("the apiserver is shutting down")))
            return
        }
        queue.append(m)
        if queue.count == 1 { cond.signal() }
        cond.unlock()
    }

    /// Runs `work` on the writer thread between batches (compaction). False if the writer
    /// is stopping and the work will never run.
    @discardableResult
    func maintain(_ work: @escaping @Sendable (SQLiteConnection, Int64) -> Void) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        if stopping { return false }
        maintenance.append(work)
        cond.signal()
        return true
    }

    /// Finishes what is queued, then stops the thread. Blocks until it has.
    func stop() {
        cond.lock()
        stopping = true
        cond.broadcast()
        while !stopped { cond.wait() }
        cond.unlock()
    }

    private func run() {
        var lastSample = 0.0
        while true {
            cond.lock()
            while queue.isEmpty && maintenance.isEmpty && !stopping { cond.wait() }
            let batch = queue
            let chores = maintenance
            queue.removeAll(keepingCapacity: true)
            maintenance.removeAll()
            let exiting = stopping && batch.isEmpty
            cond.unlock()

            if !batch.isEmpty { commit(batch) }
            for c in chores { c(db, committed.load(ordering: .acquiring)) }
            // No chore may leave a read open on the write connection (see `scalarInt`).
            if !chores.isEmpty { db.resetAll() }
            let now = Date().timeIntervalSince1970
            if now - lastSample >= 1 {
                lastSample = now
                let rev = committed.load(ordering: .acquiring)
                history.withLock { h in
                    h.append((now, rev))
                    if h.count > 4000 { h.removeFirst(h.count - 4000) }
                }
            }
            if exiting {
                completions.drain()
                cond.lock()
                stopped = true
                cond.broadcast()
                cond.unlock()
                return
            }
        }
    }

    /// Fails a whole batch, answering in commit order after anything already queued.
    private func fail(_ batch: [Mutation], _ status: Status) {
        completions.run { for m in batch { m.done(.failure(status)) } }
    }

    /// Whether a failed COMMIT may have reached the disk anyway. BUSY and LOCKED leave the
    /// transaction undone; anything else (SQLITE_IOERR_*, SQLITE_FULL, SQLITE_CORRUPT, ...)
    /// may have left WAL frames that replay at restart, even after a failed fsync.
    static func commitFailureIsFatal(_ error: any Error) -> Bool {
        guard let e = error as? SQLiteError else { return true }
        let primary = e.code & 0xFF
        return primary != 5 && primary != 6
    }

    /// A chore's own COMMIT (compaction, vacuum) failed the way `commitFailureIsFatal`
    /// describes: the store stops as after a failed batch. Writer thread only (chores).
    func stopAfterFatal(_ why: String) {
        guard !failed else { return }
        failed = true
        let onFatal = self.onFatal
        completions.run { onFatal(why) }
    }

    private func commit(_ batch: [Mutation]) {
        if failed {
            fail(batch, Status.unavailable("the store stopped after a failed commit; the apiserver is restarting"))
            return
        }
        let start = committed.load(ordering: .acquiring)
        var results: [Result<WriteOutcome, Status>] = []
        results.reserveCapacity(batch.count)
        // After a rolled-back batch the index is rebuilt; if that failed, try again now.
        if !namespaces.loaded {
            do {
                try namespaces.load(db, index: index)
            } catch {
                fail(batch, Status.internalError("the namespace index cannot be loaded, nothing in this batch was written: \(error)"))
                return
            }
        }
        let tx = WriteTransaction(db: db, revision: start, namespaces: namespaces, index: index)
        do {
            try db.beginImmediate()
        } catch {
            fail(batch, Status.internalError("store unavailable: \(error)"))
            return
        }
        for m in batch {
            do throws(Status) {
                results.append(.success(try m.work(tx)))
            } catch {
                results.append(.failure(error))
            }
            // SQLite rolls the whole transaction back on some errors (disk full, I/O);
            // nothing more may run outside it, and nothing so far was written.
            guard db.inTransaction else {
                try? namespaces.load(db, index: index)
                fail(batch, Status.internalError("the store rolled back a write batch: nothing in it was written"))
                return
            }
        }
        do {
            if tx.revision != start {
                let s = try db.statement("UPDATE meta SET value = ? WHERE name = 'revision'")
                s.bind(1, tx.revision)
                try s.step()
            }
            db.resetAll()
            try db.exec("COMMIT")
        } catch {
            if Self.commitFailureIsFatal(error) {
                failed = true
                let why = "\(error)"
                let unknown = Status.internalError("the store failed to commit this write (\(why)): whether it was written is unknown; "
                    + "the apiserver stops and the store's recovery decides at restart")
                let onFatal = self.onFatal
                completions.run {
                    for m in batch { m.done(.failure(unknown)) }
                    onFatal(why)
                }
                return
            }
            try? db.exec("ROLLBACK")
            // The namespace index saw this batch's changes; rebuild it from what is durable.
            try? namespaces.load(db, index: index)
            fail(batch, Status.internalError("commit failed, nothing in this batch was written: \(error)"))
            return
        }
        // Readers see the batch in the key index from here on, before anyone is answered.
        index.commit(tx.changes, revision: tx.revision)
        committed.store(tx.revision, ordering: .releasing)
        batchSizes.withLock { $0.batches += 1; $0.mutations += batch.count }
        let events = tx.events
        let publish = self.publish, observe = self.observe
        let finished = results
        completions.run {
            if !events.isEmpty { observe(events) }
            for (m, r) in zip(batch, finished) { m.done(r) }
            if !events.isEmpty { publish(events) }
        }
    }
}
