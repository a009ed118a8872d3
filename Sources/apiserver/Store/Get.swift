extension Store {
    /// The current state of one object, or nil.
    func get(_ key: ObjectKey) throws(Status) -> StoredObject? {
        let path = key.path
        // A version superseded and compacted between the two reads is re-resolved once.
        for _ in 0..<2 {
            guard let rev = index.current(key) else { return nil }
            if let bytes = try value(at: rev) { return StoredObject(key: path, bytes: bytes, modRevision: rev) }
        }
        throw Status.internalError("store read failed: \(path) changed twice while being read")
    }

    /// The value the log holds for `revision`, or nil if compaction removed it.
    func value(at revision: Int64) throws(Status) -> [UInt8]? {
        try reads.withConnection { c throws(Status) -> [UInt8]? in
            do {
                let s = try c.statement(DatabaseSchema.valueAt)
                s.bind(1, revision)
                guard try s.step() else { return nil }
                return s.blob(0)
            } catch {
                throw Status.internalError("store read failed: \(error)")
            }
        }
    }
}
