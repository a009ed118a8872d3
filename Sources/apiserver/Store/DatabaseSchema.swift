/// The database layout. The revision log is the truth; `kv` is the current state derived
/// from it, kept for fast reads. `meta` holds the current and compacted revisions.
enum DatabaseSchema {
    static let pragmas = """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=FULL;
        PRAGMA journal_size_limit=67108864;
        PRAGMA cache_size=-16384;
        PRAGMA temp_store=MEMORY;
        """

    static let tables = """
        CREATE TABLE IF NOT EXISTS log (
            rev INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            op INTEGER NOT NULL,
            value BLOB NOT NULL,
            prev_rev INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS kv (
            key TEXT PRIMARY KEY,
            value BLOB NOT NULL,
            create_rev INTEGER NOT NULL,
            mod_rev INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT OR IGNORE INTO meta(name, value) VALUES ('revision', 0), ('compacted', 0);
        """

    /// Opens (creating if needed) the write connection and brings the schema up to date.
    static func openWriter(path: String) throws(SQLiteError) -> SQLiteConnection {
        let c = try SQLiteConnection(path: path, readOnly: false)
        // auto_vacuum must be chosen before the first table exists; it is a no-op later.
        try c.exec("PRAGMA auto_vacuum=INCREMENTAL;")
        try c.exec(pragmas)
        try c.exec(tables)
        return c
    }

    static func openReader(path: String) throws(SQLiteError) -> SQLiteConnection {
        let c = try SQLiteConnection(path: path, readOnly: false)
        try c.exec("PRAGMA query_only=1; PRAGMA cache_size=-8192; PRAGMA temp_store=MEMORY;")
        return c
    }
}
