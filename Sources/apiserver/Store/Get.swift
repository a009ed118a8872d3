extension Store {
    /// The current state of one object, or nil.
    func get(_ key: ObjectKey) throws(Status) -> StoredObject? {
        try reads.withConnection { c throws(Status) -> StoredObject? in
            do {
                let s = try c.statement(DatabaseSchema.getCurrent)
                s.bind(1, key.path)
                guard try s.step() else { return nil }
                return StoredObject(key: key.path, bytes: s.blob(0), modRevision: s.int(2), createRevision: s.int(1))
            } catch {
                throw Status.internalError("store read failed: \(error)")
            }
        }
    }
}
