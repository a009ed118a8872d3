import Logging

/// Keeps the revision log to its window and the database files bounded: drops log rows
/// no revision inside the window needs, checkpoints the WAL, and returns free pages.
struct Compactor: Sendable {
    let store: Store
    let logger: Logger

    /// The revision below which history may go: older than the time window and outside
    /// the newest `historyMinRevisions`.
    func target() -> Int64 {
        let current = store.revision
        let now = Timestamp.nowSeconds()
        let cutoff = now - store.config.historyWindowSeconds
        let byTime = store.writer.history.withLock { h in h.last(where: { $0.0 <= cutoff })?.1 ?? 0 }
        return max(0, min(byTime, current - store.config.historyMinRevisions))
    }

    /// Compacts up to `target()` (or `upTo` when given), in chunks so writers are not
    /// held up for long.
    func run(upTo: Int64? = nil) async {
        let goal = upTo ?? target()
        let writer = store.writer
        HistorySamples.persist(store, logger: logger)
        var from = store.compactedRevision.load(ordering: .acquiring)
        while from < goal {
            let hi = min(goal, from + 20_000)
            let lo = from
            // Announced first, so no new watch or list starts from what is about to go.
            store.compactedRevision.store(hi, ordering: .releasing)
            let ok: Bool = await withCheckedContinuation { c in
                let accepted = store.writer.maintain { db, _ in
                    let start = Timestamp.nowSeconds()
                    let ok = Self.compactChunk(db, from: lo, to: hi, logger: logger, fatal: writer.stopAfterFatal)
                    logger.debug("compacted", metadata: ["from": "\(lo)", "to": "\(hi)", "ms": "\(Int((Timestamp.nowSeconds() - start) * 1000))"])
                    c.resume(returning: ok)
                }
                if !accepted { c.resume(returning: false) }
            }
            guard ok else { return }
            from = hi
        }
        // Free pages go back in rounds of `reclaimPagesPerRound`, each its own chore between
        // write batches, so returning a large freelist never holds the writer for long.
        var first = true
        while true {
            let more: Bool = await withCheckedContinuation { c in
                let accepted = store.writer.maintain { [first] db, _ in
                    let start = Timestamp.nowSeconds()
                    let more = Self.reclaim(db, pages: Self.reclaimPagesPerRound, onlyIfWorthIt: first, logger: logger,
                                            fatal: writer.stopAfterFatal)
                    logger.debug("reclaimed", metadata: ["ms": "\(Int((Timestamp.nowSeconds() - start) * 1000))"])
                    c.resume(returning: more)
                }
                if !accepted { c.resume(returning: false) }
            }
            if !more || Task.isCancelled { return }
            first = false
        }
    }

    /// Pages one reclaim round hands back: 1,024 (4 MiB at SQLite's default page size).
    static let reclaimPagesPerRound = 1024

    /// Rows with revisions in [from, to) supersede their previous versions, which go;
    /// tombstones in that range go too. The newest version at or below `to` of every live
    /// key stays, so a list at any revision from `to` on can still be answered.
    /// A failure that may have left WAL frames behind (an I/O error, a full disk: anything
    /// but a lock wait) goes to `fatal`, which stops the store as a failed batch does.
    static func compactChunk(_ db: SQLiteConnection, from: Int64, to: Int64, logger: Logger,
                             fatal: (String) -> Void = { _ in }) -> Bool {
        do {
            try db.beginImmediate()
            let prev = try db.statement("DELETE FROM log WHERE rev IN (SELECT prev_rev FROM log WHERE rev >= ? AND rev < ? AND prev_rev > 0)")
            prev.bind(1, from)
            prev.bind(2, to)
            try prev.step()
            let tomb = try db.statement("DELETE FROM log WHERE rev >= ? AND rev < ? AND op = 3")
            tomb.bind(1, from)
            tomb.bind(2, to)
            try tomb.step()
            let meta = try db.statement("UPDATE meta SET value = ? WHERE name = 'compacted'")
            meta.bind(1, to)
            try meta.step()
            db.resetAll()
            try db.exec("COMMIT")
            return true
        } catch {
            try? db.exec("ROLLBACK")
            logger.error("compaction failed", metadata: ["error": .string("\(error)")])
            if Writer.commitFailureIsFatal(error) { fatal("compaction: \(error)") }
            return false
        }
    }

    /// Hands up to `pages` free pages back to the file system; with `onlyIfWorthIt`, only
    /// once free pages are a quarter of the file. True if free pages remain for another
    /// round. (The WAL is kept small by the `Checkpointer`, not here, so compaction never
    /// makes the writer wait for a checkpoint.)
    @discardableResult
    static func reclaim(_ db: SQLiteConnection, pages: Int, onlyIfWorthIt: Bool = true, logger: Logger,
                        fatal: (String) -> Void = { _ in }) -> Bool {
        do {
            let free = try db.scalarInt("PRAGMA freelist_count")
            let total = try db.scalarInt("PRAGMA page_count")
            if onlyIfWorthIt && !(free > 256 && free * 4 > total) { return false }
            if free == 0 { return false }
            try db.exec("PRAGMA incremental_vacuum(\(pages))")
            return free > Int64(pages)
        } catch {
            logger.warning("vacuum failed", metadata: ["error": .string("\(error)")])
            if Writer.commitFailureIsFatal(error) { fatal("vacuum: \(error)") }
            return false
        }
    }
}
