import Logging

/// When each revision was written, coarsely, so the history window survives restarts.
///
/// The writer samples (time, revision) every second in memory; the compactor keeps history
/// younger than the window by those samples. They used to start empty at every start, so
/// a hub restarted more often than the window never compacted (the soak found the log
/// growing ~1.6 MiB a minute under apiserver kills). Each compaction run now stores one
/// sample in the `history` table, and a start loads them: revisions written before the
/// restart keep their age. Revisions after the last stored sample count as written at the
/// first sample after the start, later than they were: history is kept longer, never less.
enum HistorySamples {
    /// Samples older than this many windows are dropped; the compactor only needs the newest
    /// one older than the window.
    static let keepWindows = 2.0

    static func load(_ db: SQLiteConnection) throws(SQLiteError) -> [(Double, Int64)] {
        let s = try db.statement("SELECT time_ms, rev FROM history ORDER BY time_ms")
        var out: [(Double, Int64)] = []
        while try s.step() { out.append((Double(s.int(0)) / 1000, s.int(1))) }
        db.resetAll()
        return out
    }

    /// Stores (now, committed revision) and drops samples no window needs any more, as a
    /// chore between write batches.
    static func persist(_ store: Store, logger: Logger) {
        let window = store.config.historyWindowSeconds
        _ = store.writer.maintain { db, rev in
            let now = Timestamp.nowSeconds()
            do {
                let put = try db.statement("INSERT OR REPLACE INTO history(time_ms, rev) VALUES (?, ?)")
                put.bind(1, Int64(now * 1000))
                put.bind(2, rev)
                try put.step()
                let old = try db.statement("DELETE FROM history WHERE time_ms < ?")
                old.bind(1, Int64((now - keepWindows * window) * 1000))
                try old.step()
            } catch {
                logger.warning("could not store a history sample", metadata: ["error": .string("\(error)")])
            }
            db.resetAll()
        }
    }
}
