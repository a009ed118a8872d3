/// Which namespaces exist and which are being deleted, kept by the writer as it commits
/// namespace changes, so admitting new content costs no read.
///
/// Writer thread only.
final class NamespaceIndex {
    enum State { case active, terminating }
    private var states: [String: State] = [:]

    func load(_ db: SQLiteConnection) throws(SQLiteError) {
        let s = try db.statement("SELECT k.key, l.value FROM kv k JOIN log l ON l.rev = k.mod_rev WHERE k.key >= '/registry/namespaces/' AND k.key < '/registry/namespaces0'")
        defer { s.reset() }
        while try s.step() {
            guard let k = ObjectKey(path: s.text(0)), let obj = try? JSON.parse(s.blob(1)) else { continue }
            note(k.name, obj)
        }
    }

    func state(_ name: String) -> State? { states[name] }

    func note(_ name: String, _ object: JSON?) {
        guard let o = object else { states[name] = nil; return }
        states[name] = o["metadata"]["deletionTimestamp"].isNull ? .active : .terminating
    }
}
