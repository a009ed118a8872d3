/// Keys in order, in chunks of at most `maxChunk`. An insert or removal moves the elements of
/// one chunk (and, when a chunk splits or empties, the short list of chunks), where one
/// sorted array would move half of all keys: at 100,000 keys that was a 1 MB memmove per
/// create, on the writer thread.
struct SortedKeys {
    private var chunks: [[String]] = []
    static let maxChunk = 512

    init() {}

    init(sorted keys: [String]) {
        var start = 0
        while start < keys.count {
            let end = min(keys.count, start + Self.maxChunk / 2)
            chunks.append(Array(keys[start..<end]))
            start = end
        }
    }

    var isEmpty: Bool { chunks.isEmpty }

    /// The chunk that holds `key` or would: the first whose last key is not below it.
    private func chunk(for key: String) -> Int {
        var lo = 0, hi = chunks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if chunks[mid].last! < key { lo = mid + 1 } else { hi = mid }
        }
        return min(lo, chunks.count - 1)
    }

    mutating func insert(_ key: String) {
        guard !chunks.isEmpty else {
            chunks = [[key]]
            return
        }
        let c = chunk(for: key)
        let i = KeyIndex.lowerBound(chunks[c], key)
        if i < chunks[c].count && chunks[c][i] == key { return }
        chunks[c].insert(key, at: i)
        if chunks[c].count > Self.maxChunk {
            let half = chunks[c].count / 2
            let tail = Array(chunks[c][half...])
            chunks[c].removeSubrange(half...)
            chunks.insert(tail, at: c + 1)
        }
    }

    mutating func remove(_ key: String) {
        guard !chunks.isEmpty else { return }
        let c = chunk(for: key)
        let i = KeyIndex.lowerBound(chunks[c], key)
        guard i < chunks[c].count, chunks[c][i] == key else { return }
        chunks[c].remove(at: i)
        if chunks[c].isEmpty { chunks.remove(at: c) }
    }

    /// Calls `body` with each key from the first not below `lower`, in order, until it
    /// returns false.
    func forEach(from lower: String, _ body: (String) -> Bool) {
        guard !chunks.isEmpty else { return }
        var c = chunk(for: lower)
        var i = KeyIndex.lowerBound(chunks[c], lower)
        while c < chunks.count {
            let keys = chunks[c]
            while i < keys.count {
                if !body(keys[i]) { return }
                i += 1
            }
            c += 1
            i = 0
        }
    }
}
