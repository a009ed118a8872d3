/// The writer's view of one group-commit batch. Mutations read and write through it; every
/// write takes the next revision at once, so the batch's changes are strictly ordered.
///
/// Writer thread only. A mutation must do all its checks before its first write: a
/// `Status` thrown after a write would leave that write in the batch.
final class WriteTransaction {
    let db: SQLiteConnection
    let namespaces: NamespaceIndex
    let index: KeyIndex
    private(set) var revision: Int64
    private(set) var events: [ChangeEvent] = []
    /// This batch's changes to the key index (nil: deleted), applied after the commit.
    private(set) var changes: [KeyIndex.Change] = []
    private var overlay: [String: Int64?] = [:]

    init(db: SQLiteConnection, revision: Int64, namespaces: NamespaceIndex, index: KeyIndex) {
        self.db = db
        self.revision = revision
        self.namespaces = namespaces
        self.index = index
    }

    /// The current revision of `key`, counting writes made earlier in this batch.
    private func currentRevision(_ key: ObjectKey, _ path: String) -> Int64? {
        if !overlay.isEmpty, let o = overlay[path] { return o }
        return index.current(path, resource: key.resource)
    }

    /// The current revision of `key` (nil: absent), counting writes made earlier in this
    /// batch: what an update prepared outside the writer compares against.
    func revision(of key: ObjectKey) -> Int64? { currentRevision(key, key.path) }

    /// The latest state of `key`, including writes made earlier in this batch.
    func get(_ key: ObjectKey) throws(Status) -> StoredObject? {
        let path = key.path
        guard let rev = currentRevision(key, path) else { return nil }
        do {
            let s = try db.statement(DatabaseSchema.valueAt)
            s.bind(1, rev)
            guard try s.step() else { throw Status.internalError("store is inconsistent: \(path) at \(rev) is missing from the log") }
            return StoredObject(key: path, bytes: s.blob(0), modRevision: rev)
        } catch let st as Status {
            throw st
        } catch {
            throw Status.internalError("store read failed: \(error)")
        }
    }

    private func note(_ key: ObjectKey, _ path: String, _ rev: Int64?) {
        overlay[path] = .some(rev)
        changes.append(KeyIndex.Change(resource: key.resource, key: path, revision: rev))
    }

    /// Writes `object` under `key` as a new version of `previous`, stamping
    /// `metadata.resourceVersion` with the revision it takes.
    @discardableResult
    func put(_ key: ObjectKey, _ object: JSON, previous: StoredObject, previousJSON: JSON? = nil) throws(Status) -> StoredObject {
        try write(key, EncodedObject(object), previous: previous, previousJSON: previousJSON)
    }

    /// `put` for an object already encoded (and measured) outside the writer.
    @discardableResult
    func put(_ key: ObjectKey, _ object: EncodedObject, previous: StoredObject, previousJSON: JSON? = nil) throws(Status) -> StoredObject {
        try write(key, object, previous: previous, previousJSON: previousJSON)
    }

    /// Inserts a new object; 409 AlreadyExists if the key is taken (checked in the key
    /// index, so a create costs no read).
    @discardableResult
    func create(_ key: ObjectKey, _ object: EncodedObject, resource: ResourceType) throws(Status) -> StoredObject {
        try write(key, object, previous: nil, previousJSON: nil, resource: resource)
    }

    private func write(_ key: ObjectKey, _ object: EncodedObject, previous: StoredObject?, previousJSON: JSON?,
                       resource: ResourceType? = nil) throws(Status) -> StoredObject {
        let rev = revision + 1
        let bytes = object.stamped(rev)
        let path = key.path
        if previous == nil, currentRevision(key, path) != nil {
            throw Status.alreadyExists(resource: key.resource, name: key.name, group: resource?.group ?? "")
        }
        try append(rev, path, previous == nil ? .added : .modified, bytes, previous: previous?.modRevision ?? 0)
        note(key, path, rev)
        revision = rev
        if key.resource == "namespaces" { namespaces.note(key.name, object.json) }
        events.append(ChangeEvent(revision: rev, key: key, kind: previous == nil ? .added : .modified, bytes: bytes, object: object.json,
                                  previousBytes: previous?.bytes, previous: previousJSON))
        return StoredObject(key: path, bytes: bytes, modRevision: rev)
    }

    /// Removes `key`. The log keeps its last state, stamped with the delete's revision, which
    /// is also what watchers receive.
    @discardableResult
    func delete(_ key: ObjectKey, previous: StoredObject, lastState: JSON) throws(Status) -> StoredObject {
        try delete(key, previous: previous, lastState: EncodedObject(lastState))
    }

    /// `delete` with the last state encoded outside the writer.
    @discardableResult
    func delete(_ key: ObjectKey, previous: StoredObject, lastState: EncodedObject) throws(Status) -> StoredObject {
        let rev = revision + 1
        let obj = lastState.json
        let bytes = lastState.stamped(rev)
        try append(rev, key.path, .deleted, bytes, previous: previous.modRevision)
        note(key, key.path, nil)
        revision = rev
        if key.resource == "namespaces" { namespaces.note(key.name, nil) }
        // `previous` is the stored version before the delete (parsed lazily from its bytes),
        // not `lastState`, which may differ when the deleting write changed the object.
        events.append(ChangeEvent(revision: rev, key: key, kind: .deleted, bytes: bytes, object: obj, previousBytes: previous.bytes,
                                  previous: nil))
        return StoredObject(key: key.path, bytes: bytes, modRevision: rev)
    }

    /// One row of the revision log: the only write a change makes.
    private func append(_ rev: Int64, _ path: String, _ kind: ChangeEvent.Kind, _ bytes: [UInt8], previous: Int64) throws(Status) {
        do {
            let log = try db.statement("INSERT INTO log(rev, key, op, value, prev_rev) VALUES (?, ?, ?, ?, ?)")
            log.bind(1, rev)
            log.bind(2, path)
            log.bind(3, kind.rawValue)
            log.bind(4, bytes)
            log.bind(5, previous)
            try log.step()
        } catch {
            throw Status.internalError("store write failed: \(error)")
        }
    }
}
