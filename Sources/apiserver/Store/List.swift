/// One page of a list, read from a single snapshot.
struct ListPage {
    var items: [StoredObject]
    /// The revision the page reflects: the list's `metadata.resourceVersion`.
    var revision: Int64
    /// Where the next page starts, if there may be one.
    var continueAfter: String?
}

extension Store {
    /// Lists `range` as of revision `atRevision` (nil: now), after key `after`, keeping the
    /// objects `keep` accepts, at most `limit` of them. `name` narrows the list to objects
    /// of that name (found through the key index, not by reading objects); `keepsAll` says
    /// `keep` accepts everything, so a page copies no more than `limit` keys.
    ///
    /// The key index gives the current version of every key; a continued list reads the
    /// same revision as its first page, as etcd does: keys changed since then are read back
    /// from the log. A revision older than the compacted one is 410 Gone.
    func list(_ range: KeyRange, after: String? = nil, limit: Int? = nil, atRevision: Int64? = nil, name: String? = nil,
              keepsAll: Bool = false, keep: (StoredObject) throws(Status) -> Bool) throws(Status) -> ListPage {
        var snapshot = index.snapshot(range, after: after, limit: keepsAll ? limit : nil, name: name)
        let rev = atRevision ?? snapshot.revision
        // A page read at an older revision merges in versions from the log across the whole
        // rest of the range, so it needs every key after `after`.
        if snapshot.more && rev < snapshot.revision { snapshot = index.snapshot(range, after: after, name: name) }
        let tooOld = Status.gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
        if rev < compactedRevision.load(ordering: .acquiring) { throw tooOld }
        // One read transaction: a compaction committing meanwhile cannot pull rows from
        // under the walk below; one committed before it is seen here and is a 410.
        return try reads.snapshot { c throws(Status) -> ListPage in
            if rev < snapshot.revision, rev < (try c.revisions()).compacted { throw tooOld }
            do {
                var candidates: [(key: String, revision: Int64, bytes: [UInt8]?)] = []
                if rev < snapshot.revision {
                    let (changed, historical) = try Self.versions(at: rev, in: range, after: after, c)
                    var h = 0
                    for k in snapshot.keys where !changed.contains(k.key) {
                        while h < historical.count, historical[h].key < k.key {
                            candidates.append((historical[h].key, historical[h].modRevision, historical[h].bytes))
                            h += 1
                        }
                        candidates.append((k.key, k.revision, nil))
                    }
                    for x in historical[h...] { candidates.append((x.key, x.modRevision, x.bytes)) }
                } else {
                    candidates = snapshot.keys.map { ($0.key, $0.revision, nil) }
                }
                let value = try c.statement(DatabaseSchema.valueAt)
                defer { value.reset() }
                var items: [StoredObject] = []
                var lastKey: String? = nil
                for cand in candidates {
                    if let limit, limit > 0, items.count >= limit {
                        return ListPage(items: items, revision: rev, continueAfter: lastKey)
                    }
                    lastKey = cand.key
                    var bytes = cand.bytes
                    if bytes == nil {
                        listedValueReads.add(1, ordering: .relaxed)
                        value.reset()
                        value.bind(1, cand.revision)
                        // Gone only if superseded and compacted since the snapshot: it no
                        // longer existed at a revision the list may show.
                        guard try value.step() else { continue }
                        bytes = value.blob(0)
                    }
                    let o = StoredObject(key: cand.key, bytes: bytes!, modRevision: cand.revision)
                    if try keep(o) { items.append(o) }
                }
                // Keys were left out of the snapshot: the next page starts after the last one read.
                return ListPage(items: items, revision: rev, continueAfter: snapshot.more ? lastKey : nil)
            } catch let st as Status {
                throw st
            } catch {
                throw Status.internalError("store read failed: \(error)")
            }
        }
    }

    /// Keys in `range` changed after `rev`, and the version of each that was current at
    /// `rev` (if it existed then): the `prev_rev` of the key's first row after `rev`. A key
    /// deleted and created again after `rev` is found through its tombstone's `prev_rev`;
    /// one created after `rev` has `prev_rev` 0.
    static func versions(at rev: Int64, in range: KeyRange, after: String?, _ c: SQLiteConnection) throws -> (Set<String>, [StoredObject]) {
        let s = try c.statement("SELECT l.key, l.prev_rev FROM log l JOIN (SELECT MIN(rev) AS first FROM log WHERE rev > ? AND key >= ? AND key < ? GROUP BY key) f ON l.rev = f.first")
        s.bind(1, rev)
        s.bind(2, range.lower)
        s.bind(3, range.upper)
        var firsts: [(String, Int64)] = []
        while try s.step() { firsts.append((s.text(0), s.int(1))) }
        s.reset()
        let value = try c.statement(DatabaseSchema.valueAt)
        defer { value.reset() }
        var changed = Set<String>()
        var historical: [StoredObject] = []
        for (key, prev) in firsts {
            changed.insert(key)
            guard after.map({ key > $0 }) ?? true, prev > 0 else { continue }
            value.reset()
            value.bind(1, prev)
            guard try value.step() else { throw Status.gone("The provided continue parameter is too old to display a consistent list result.") }
            historical.append(StoredObject(key: key, bytes: value.blob(0), modRevision: prev))
        }
        historical.sort { $0.key < $1.key }
        return (changed, historical)
    }
}
