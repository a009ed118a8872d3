/// The writer's view of one group-commit batch. Mutations read and write through it; every
/// write takes the next revision at once, so the batch's changes are strictly ordered.
///
/// Writer thread only. A mutation must do all its checks before its first write: a
/// `Status` thrown after a write would leave that write in the batch.
final class WriteTransaction {
    let db: SQLiteConnection
    let namespaces: NamespaceIndex
    private(set) var revision: Int64
    private(set) var events: [ChangeEvent] = []

    init(db: SQLiteConnection, revision: Int64, namespaces: NamespaceIndex) {
        self.db = db
        self.revision = revision
        self.namespaces = namespaces
    }

    /// The latest state of `key`, including writes made earlier in this batch.
    func get(_ key: ObjectKey) throws(Status) -> StoredObject? {
        let path = key.path
        do {
            let s = try db.statement(DatabaseSchema.getCurrent)
            s.bind(1, path)
            guard try s.step() else { return nil }
            return StoredObject(key: path, bytes: s.blob(0), modRevision: s.int(2), createRevision: s.int(1))
        } catch {
            throw Status.internalError("store read failed: \(error)")
        }
    }

    /// Writes `object` under `key` as a new version of `previous`, stamping
    /// `metadata.resourceVersion` with the revision it takes.
    @discardableResult
    func put(_ key: ObjectKey, _ object: JSON, previous: StoredObject, previousJSON: JSON? = nil) throws(Status) -> StoredObject {
        try write(key, EncodedObject(object), previous: previous, previousJSON: previousJSON)
    }

    /// Inserts a new object; 409 AlreadyExists if the key is taken (checked by the insert
    /// itself, so a create costs no separate read).
    @discardableResult
    func create(_ key: ObjectKey, _ object: EncodedObject, resource: ResourceType) throws(Status) -> StoredObject {
        try write(key, object, previous: nil, previousJSON: nil, resource: resource)
    }

    private func write(_ key: ObjectKey, _ object: EncodedObject, previous: StoredObject?, previousJSON: JSON?,
                       resource: ResourceType? = nil) throws(Status) -> StoredObject {
        let rev = revision + 1
        let bytes = object.stamped(rev)
        let path = key.path
        let createRev = previous?.createRevision ?? rev
        var taken = false
        do {
            let kv = try db.statement(previous == nil
                ? "INSERT INTO kv(key, create_rev, mod_rev) VALUES (?1, ?2, ?3)"
                : "UPDATE kv SET mod_rev = ?3 WHERE key = ?1")
            kv.bind(1, path)
            kv.bind(2, createRev)
            kv.bind(3, rev)
            do {
                try kv.step()
            } catch where error.code == SQLITE_CONSTRAINT_CODE {
                taken = true
            }
            if !taken {
                let log = try db.statement("INSERT INTO log(rev, key, op, value, prev_rev) VALUES (?, ?, ?, ?, ?)")
                log.bind(1, rev)
                log.bind(2, path)
                log.bind(3, previous == nil ? ChangeEvent.Kind.added.rawValue : ChangeEvent.Kind.modified.rawValue)
                log.bind(4, bytes)
                log.bind(5, previous?.modRevision ?? 0)
                try log.step()
            }
        } catch {
            throw Status.internalError("store write failed: \(error)")
        }
        if taken { throw Status.alreadyExists(resource: key.resource, name: key.name, group: resource?.group ?? "") }
        revision = rev
        if key.resource == "namespaces" { namespaces.note(key.name, object.json) }
        events.append(ChangeEvent(revision: rev, key: key, kind: previous == nil ? .added : .modified, bytes: bytes, object: object.json,
                                  previousBytes: previous?.bytes, previous: previousJSON))
        return StoredObject(key: path, bytes: bytes, modRevision: rev, createRevision: createRev)
    }

    /// Removes `key`. The log keeps its last state, stamped with the delete's revision, which
    /// is also what watchers receive.
    @discardableResult
    func delete(_ key: ObjectKey, previous: StoredObject, lastState: JSON) throws(Status) -> StoredObject {
        let rev = revision + 1
        var obj = lastState
        obj[path: ["metadata", "resourceVersion"]] = .string(String(rev))
        let bytes = obj.bytes()
        do {
            let log = try db.statement("INSERT INTO log(rev, key, op, value, prev_rev) VALUES (?, ?, ?, ?, ?)")
            log.bind(1, rev)
            log.bind(2, key.path)
            log.bind(3, ChangeEvent.Kind.deleted.rawValue)
            log.bind(4, bytes)
            log.bind(5, previous.modRevision)
            try log.step()
            let kv = try db.statement("DELETE FROM kv WHERE key = ?")
            kv.bind(1, key.path)
            try kv.step()
        } catch {
            throw Status.internalError("store write failed: \(error)")
        }
        revision = rev
        if key.resource == "namespaces" { namespaces.note(key.name, nil) }
        events.append(ChangeEvent(revision: rev, key: key, kind: .deleted, bytes: bytes, object: obj, previousBytes: previous.bytes,
                                  previous: lastState))
        return StoredObject(key: key.path, bytes: bytes, modRevision: rev, createRevision: previous.createRevision)
    }
}
