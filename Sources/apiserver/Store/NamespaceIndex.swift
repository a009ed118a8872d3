/// Which namespaces exist and which are being deleted, kept by the writer as it commits
/// namespace changes, so admitting new content costs no read.
///
/// Writer thread only.
final class NamespaceIndex {
    enum State { case active, terminating }
    private var states: [String: State] = [:]

    func load(_ db: SQLiteConnection, index: KeyIndex) throws(SQLiteError) {
        let value = try db.statement(DatabaseSchema.valueAt)
        defer { value.reset() }
        for (key, rev) in index.snapshot(KeyRange(resource: "namespaces", namespace: nil), after: nil).keys {
            value.reset()
            value.bind(1, rev)
            guard let k = ObjectKey(path: key), try value.step(), let obj = try? JSON.parse(value.blob(0)) else { continue }
            note(k.name, obj)
        }
    }

    func reset() { states = [:] }

    func state(_ name: String) -> State? { states[name] }

    func note(_ name: String, _ object: JSON?) {
        guard let o = object else { states[name] = nil; return }
        states[name] = o["metadata"]["deletionTimestamp"].isNull ? .active : .terminating
    }
}
