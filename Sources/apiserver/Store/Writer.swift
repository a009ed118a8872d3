import Foundation
import Synchronization

/// What a mutation hands back: the object as written (or as found, for a no-op).
struct WriteOutcome: Sendable {
    var bytes: [UInt8]
    var revision: Int64
    /// False when the mutation found nothing to change and wrote nothing.
    var wrote: Bool = true
    var warnings: [String] = []
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
    /// Last committed revision; read by others through `Store`.
    let committed: Atomic<Int64>
    private let publish: @Sendable ([ChangeEvent]) -> Void
    /// (time, revision) samples, one a second, for the compaction window.
    let history = Mutex<[(Double, Int64)]>([])
    let batchSizes = Mutex<(batches: Int, mutations: Int)>((0, 0))

    /// Answers and fan-out for committed batches run here, in commit order, so the writer
    /// can start the next batch while the last one's responses go out.
    private let completions = SerialWorker(name: "store-completions")

    let index: KeyIndex

    /// Throws if the namespace index cannot be loaded: without it every namespaced create
    /// would be refused as if its namespace did not exist.
    init(db: SQLiteConnection, revision: Int64, index: KeyIndex, publish: @escaping @Sendable ([ChangeEvent]) -> Void) throws(SQLiteError) {
        self.db = db
        self.committed = Atomic(revision)
        self.publish = publish
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

    private func commit(_ batch: [Mutation]) {
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
        let publish = self.publish
        let finished = results
        completions.run {
            for (m, r) in zip(batch, finished) { m.done(r) }
            if !events.isEmpty { publish(events) }
        }
    }
}
