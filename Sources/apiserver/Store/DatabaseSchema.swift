/// The database layout: the revision log is the truth and the only table objects live in;
/// which revision is each key's current version is kept in memory (`KeyIndex`), rebuilt
/// from the log at start, so a write is one appended row. `meta` holds the current and
/// compacted revisions.
enum DatabaseSchema {
    static let pragmas = """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=FULL;
        PRAGMA journal_size_limit=16777216;
        PRAGMA cache_size=-16384;
        PRAGMA temp_store=MEMORY;
        PRAGMA wal_autocheckpoint=0;
        """

    static let tables = """
        CREATE TABLE IF NOT EXISTS log (
            rev INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            op INTEGER NOT NULL,
            value BLOB NOT NULL,
            prev_rev INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT OR IGNORE INTO meta(name, value) VALUES ('revision', 0), ('compacted', 0);
        CREATE TABLE IF NOT EXISTS history (time_ms INTEGER PRIMARY KEY, rev INTEGER NOT NULL);
        """

    /// Opens (creating if needed) the write connection and brings the schema up to date.
    static func openWriter(path: String) throws(SQLiteError) -> SQLiteConnection {
        let c = try SQLiteConnection(path: path, readOnly: false)
        // auto_vacuum must be chosen before the first table exists; it is a no-op later.
        try c.exec("PRAGMA auto_vacuum=INCREMENTAL;")
        try c.exec(pragmas)
        // Earlier layouts kept a `kv` table of current versions; the log has them all.
        try c.exec("DROP TABLE IF EXISTS kv;")
        try c.exec(tables)
        return c
    }

    /// One version's value by its revision.
    static let valueAt = "SELECT value FROM log WHERE rev = ?"

    /// A connection of its own that copies WAL frames into the database file, off the
    /// writer's path (the writer never checkpoints: `wal_autocheckpoint=0`).
    static func openCheckpointer(path: String) throws(SQLiteError) -> SQLiteConnection {
        let c = try SQLiteConnection(path: path, readOnly: false)
        try c.exec("PRAGMA synchronous=FULL;")
        // A RESTART checkpoint holds new writes back while it waits for readers: give up
        // after about 200 ms (it is tried again half a second later) rather than stall the
        // writer for the default 10 s.
        c.useShortBusyWait()
        return c
    }

    static func openReader(path: String) throws(SQLiteError) -> SQLiteConnection {
        let c = try SQLiteConnection(path: path, readOnly: false)
        try c.exec("PRAGMA query_only=1; PRAGMA cache_size=-8192; PRAGMA temp_store=MEMORY;")
        return c
    }
}
