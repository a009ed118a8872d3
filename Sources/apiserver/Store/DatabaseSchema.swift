/// The database layout. The revision log is the truth and holds every value; `kv` indexes
/// the current state (key → revision of its current version), so a write stores its value
/// once, appended to the log, and touches only a small row in `kv`. `meta` holds the
/// current and compacted revisions.
enum DatabaseSchema {
    static let pragmas = """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=FULL;
        PRAGMA journal_size_limit=67108864;
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
        CREATE TABLE IF NOT EXISTS kv (
            key TEXT PRIMARY KEY,
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
        try migrateValueColumn(c)
        try c.exec(tables)
        return c
    }

    /// Databases from before values lived in the log only kept a copy in `kv.value`: the
    /// log already holds every current value, so the column is dropped.
    static func migrateValueColumn(_ c: SQLiteConnection) throws(SQLiteError) {
        let s = try c.statement("SELECT COUNT(*) FROM pragma_table_info('kv') WHERE name = 'value'")
        let old = try s.step() && s.int(0) > 0
        s.reset()
        guard old else { return }
        try c.exec("""
            BEGIN;
            CREATE TABLE kv_new (key TEXT PRIMARY KEY, create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO kv_new SELECT key, create_rev, mod_rev FROM kv;
            DROP TABLE kv;
            ALTER TABLE kv_new RENAME TO kv;
            COMMIT;
            """)
    }

    /// The current version of one key: its value (from the log) and revisions.
    static let getCurrent = "SELECT l.value, k.create_rev, k.mod_rev FROM kv k JOIN log l ON l.rev = k.mod_rev WHERE k.key = ?"

    /// Current versions in a key range, in key order: key, value, create_rev, mod_rev.
    static let scanCurrent = "SELECT k.key, l.value, k.create_rev, k.mod_rev FROM kv k JOIN log l ON l.rev = k.mod_rev WHERE k.key > ? AND k.key < ? ORDER BY k.key"

    /// A connection of its own that copies WAL frames into the database file, off the
    /// writer's path (the writer never checkpoints itself: `wal_autocheckpoint=0`).
    static func openCheckpointer(path: String) throws(SQLiteError) -> SQLiteConnection {
        let c = try SQLiteConnection(path: path, readOnly: false)
        try c.exec("PRAGMA synchronous=FULL;")
        return c
    }

    static func openReader(path: String) throws(SQLiteError) -> SQLiteConnection {
        let c = try SQLiteConnection(path: path, readOnly: false)
        try c.exec("PRAGMA query_only=1; PRAGMA cache_size=-8192; PRAGMA temp_store=MEMORY;")
        return c
    }
}
