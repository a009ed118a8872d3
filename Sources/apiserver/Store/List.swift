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
    /// objects `keep` accepts, at most `limit` of them.
    ///
    /// A continued list reads the same revision as its first page, as etcd does: objects
    /// changed since then are read back from the log. A revision older than the compacted
    /// one is 410 Gone.
    func list(_ range: KeyRange, after: String? = nil, limit: Int? = nil, atRevision: Int64? = nil,
              keep: (StoredObject) throws(Status) -> Bool) throws(Status) -> ListPage {
        try reads.snapshot { c throws(Status) -> ListPage in
            let (current, compacted) = try c.revisions()
            let rev = atRevision ?? current
            if rev < compacted {
                throw Status.gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
            }
            do {
                var historical: [StoredObject] = []
                var changed = Set<String>()
                if rev < current {
                    // Keys changed since `rev`: walk each one's versions back (prev_rev links)
                    // to the one that was current at `rev`, if any.
                    let s = try c.statement("SELECT key, MAX(rev) FROM log WHERE rev > ? AND key >= ? AND key < ? GROUP BY key")
                    s.bind(1, rev)
                    s.bind(2, range.lower)
                    s.bind(3, range.upper)
                    var newest: [(String, Int64)] = []
                    while try s.step() { newest.append((s.text(0), s.int(1))) }
                    let h = try c.statement("SELECT op, value, prev_rev FROM log WHERE rev = ?")
                    for (key, top) in newest {
                        changed.insert(key)
                        guard after.map({ key > $0 }) ?? true else { continue }
                        var r = top
                        while r > 0 {
                            h.reset()
                            h.bind(1, r)
                            guard try h.step() else { break }
                            if r <= rev {
                                if h.int(0) != ChangeEvent.Kind.deleted.rawValue {
                                    historical.append(StoredObject(key: key, bytes: h.blob(1), modRevision: r, createRevision: 0))
                                }
                                break
                            }
                            r = h.int(2)
                        }
                    }
                    h.reset()
                    historical.sort { $0.key < $1.key }
                }
                let s = try c.statement(DatabaseSchema.scanCurrent)
                s.bind(1, max(after ?? "", range.lower))
                s.bind(2, range.upper)
                defer { s.reset() }
                var items: [StoredObject] = []
                var hi = 0
                var pendingRow: StoredObject? = nil
                var rowsDone = false
                // Merges the current rows (minus changed keys) with the historical versions.
                func nextRow() throws -> StoredObject? {
                    if let p = pendingRow { pendingRow = nil; return p }
                    while !rowsDone {
                        guard try s.step() else { rowsDone = true; break }
                        let key = s.text(0)
                        if changed.contains(key) { continue }
                        return StoredObject(key: key, bytes: s.blob(1), modRevision: s.int(3), createRevision: s.int(2))
                    }
                    return nil
                }
                func next() throws -> StoredObject? {
                    let row = try nextRow()
                    if hi < historical.count, row == nil || historical[hi].key < row!.key {
                        if let r = row { pendingRow = r }
                        hi += 1
                        return historical[hi - 1]
                    }
                    return row
                }
                var lastKey: String? = nil
                while let o = try next() {
                    if let limit, limit > 0, items.count >= limit {
                        return ListPage(items: items, revision: rev, continueAfter: lastKey)
                    }
                    lastKey = o.key
                    if try keep(o) { items.append(o) }
                }
                return ListPage(items: items, revision: rev, continueAfter: nil)
            } catch let st as Status {
                throw st
            } catch {
                throw Status.internalError("store read failed: \(error)")
            }
        }
    }
}
