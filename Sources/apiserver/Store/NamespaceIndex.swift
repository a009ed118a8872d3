/// Which namespaces exist and which are being deleted, kept by the writer as it commits
/// namespace changes, so admitting new content costs no read.
///
/// Writer thread only.
final class NamespaceIndex {
    enum State { case active, terminating }
    private var states: [String: State] = [:]
    /// False until `load` succeeds (and after `reset`): the writer must not admit
    /// namespaced creates against an index that is missing namespaces.
    private(set) var loaded = false

    /// Reads every namespace from the store. Throws, leaving the index unloaded, if any
    /// namespace cannot be read.
    func load(_ db: SQLiteConnection, index: KeyIndex) throws(SQLiteError) {
        reset()
        let value = try db.statement(DatabaseSchema.valueAt)
        defer { value.reset() }
        for (key, rev) in index.snapshot(KeyRange(resource: "namespaces", namespace: nil), after: nil).keys {
            value.reset()
            value.bind(1, rev)
            guard let k = ObjectKey(path: key), try value.step(), let obj = try? JSON.parse(value.blob(0)) else {
                reset()
                throw SQLiteError(code: 0, message: "namespace \(key) at revision \(rev) cannot be read")
            }
            note(k.name, obj)
        }
        loaded = true
    }

    func reset() {
        states = [:]
        loaded = false
    }

    func state(_ name: String) -> State? { states[name] }

    func note(_ name: String, _ object: JSON?) {
        guard let o = object else { states[name] = nil; return }
        states[name] = o["metadata"]["deletionTimestamp"].isNull ? .active : .terminating
    }
}
