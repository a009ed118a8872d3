import Foundation

/// The revision of every live key's current version, in memory (etcd's "treeIndex"),
/// rebuilt from the revision log at start. With it a write is one append to the log: no
/// index B-tree pages are dirtied, so the WAL and checkpoints stay small.
///
/// Thread-safety: any thread; the writer applies each committed batch with `commit`,
/// readers take consistent snapshots.
final class KeyIndex: @unchecked Sendable {
    private struct ResourceKeys {
        var revisions: [String: Int64] = [:]
        /// The same keys in order, kept sorted on every insert and removal.
        var sorted = SortedKeys()
    }

    private let lock = NSLock()
    private var resources: [String: ResourceKeys] = [:]
    /// The committed revision this index reflects.
    private var revision: Int64 = 0

    /// Replays the log (ordered by revision): the last version of each key wins, a delete
    /// removes it.
    func load(_ db: SQLiteConnection) throws(SQLiteError) {
        let s = try db.statement("SELECT rev, key, op FROM log ORDER BY rev")
        defer { s.reset() }
        var latest: [String: Int64] = [:]
        var deleted = Set<String>()
        var last: Int64 = 0
        while try s.step() {
            let rev = s.int(0), key = s.text(1)
            if s.int(2) == ChangeEvent.Kind.deleted.rawValue {
                latest[key] = nil
                deleted.insert(key)
            } else {
                latest[key] = rev
                deleted.remove(key)
            }
            last = rev
        }
        lock.lock()
        defer { lock.unlock() }
        resources = [:]
        for (key, rev) in latest { resources[Self.resource(of: key), default: ResourceKeys()].revisions[key] = rev }
        for r in resources.keys { resources[r]!.sorted = SortedKeys(sorted: resources[r]!.revisions.keys.sorted()) }
        revision = last
    }

    /// `/registry/pods/ns/name` → `pods`.
    static func resource(of key: String) -> String {
        let parts = key.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: true)
        return parts.count >= 2 ? String(parts[1]) : ""
    }

    /// The current revision of `key`, or nil if it does not exist.
    func current(_ key: ObjectKey) -> Int64? { current(key.path, resource: key.resource) }

    func current(_ path: String, resource: String) -> Int64? {
        lock.lock()
        defer { lock.unlock() }
        return resources[resource]?.revisions[path]
    }

    /// One key's new revision (nil: deleted), as a batch records it.
    struct Change {
        var resource: String
        var key: String
        var revision: Int64?
    }

    /// Applies one committed batch.
    func commit(_ changes: [Change], revision committed: Int64) {
        lock.lock()
        defer { lock.unlock() }
        for c in changes {
            let r = c.resource
            if let rev = c.revision {
                let existed = resources[r, default: ResourceKeys()].revisions.updateValue(rev, forKey: c.key) != nil
                if !existed { resources[r]!.sorted.insert(c.key) }
            } else if resources[r]?.revisions.removeValue(forKey: c.key) != nil {
                resources[r]!.sorted.remove(c.key)
            }
        }
        revision = committed
    }

    /// The keys in `range` after `after`, in key order, with their current revisions (at
    /// most `limit` of them; `more` tells whether keys were left out), and the committed
    /// revision they reflect. With `name`, only keys of objects with that name: one lookup,
    /// or for a list across namespaces a scan of the keys (no objects read).
    func snapshot(_ range: KeyRange, after: String?, limit: Int? = nil, name: String? = nil)
        -> (revision: Int64, keys: [(key: String, revision: Int64)], more: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard let rk = resources[range.resource] else { return (revision, [], false) }
        let lower = max(after.map { $0 + "\u{0}" } ?? "", range.lower)
        if let name {
            // The key itself (a cluster-scoped kind, or a namespace given); otherwise the
            // name may be in any namespace.
            let key = range.lower + name
            if let rev = rk.revisions[key] { return key >= lower ? (revision, [(key, rev)], false) : (revision, [], false) }
            if range.namespace != nil { return (revision, [], false) }
            let suffix = "/" + name
            var out: [(key: String, revision: Int64)] = []
            rk.sorted.forEach(from: lower) { key in
                guard key < range.upper else { return false }
                if key.hasSuffix(suffix) { out.append((key, rk.revisions[key]!)) }
                return true
            }
            return (revision, out, false)
        }
        var out: [(key: String, revision: Int64)] = []
        var more = false
        // A client's limit may be anything up to Int.max: reserve no more than there is.
        if let limit, limit > 0 { out.reserveCapacity(min(limit, rk.revisions.count)) }
        rk.sorted.forEach(from: lower) { key in
            guard key < range.upper else { return false }
            if let limit, limit > 0, out.count == limit {
                more = true
                return false
            }
            out.append((key, rk.revisions[key]!))
            return true
        }
        return (revision, out, more)
    }

    var committedRevision: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return revision
    }

    static func lowerBound(_ a: [String], _ x: String) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
