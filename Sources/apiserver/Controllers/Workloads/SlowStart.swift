/// Kubernetes' `slowStartBatch`, shared by the ReplicaSet, DaemonSet and Job controllers:
/// runs `body` for the items in batches of 1, 2, 4, ... (each batch at once), so a workload
/// whose pods all fail (a quota, a bad template) makes one failing request, not hundreds;
/// stops after the first batch with a failure.
enum SlowStart {
    /// How many calls succeeded, how many were made, and the first error seen (nil if none).
    /// Items after the failed batch are never tried (`items.count - attempted`).
    static func run<Item: Sendable>(_ items: [Item], initialBatch: Int = 1,
                                    _ body: @escaping @Sendable (Item) async -> Status?) async
        -> (successes: Int, attempted: Int, error: Status?) {
        var start = 0, successes = 0
        var batch = min(items.count, initialBatch)
        while batch > 0 {
            let slice = items[start..<(start + batch)]
            let errors = await withTaskGroup(of: Status?.self) { g -> [Status] in
                for item in slice { g.addTask { await body(item) } }
                var errors: [Status] = []
                for await e in g { if let e { errors.append(e) } }
                return errors
            }
            successes += batch - errors.count
            start += batch
            if let first = errors.first { return (successes, start, first) }
            batch = min(2 * batch, items.count - start)
        }
        return (successes, start, nil)
    }

    /// `count` identical calls.
    static func run(count: Int, initialBatch: Int = 1,
                    _ body: @escaping @Sendable () async -> Status?) async -> (successes: Int, error: Status?) {
        let r = await run(Array(repeating: 0, count: max(0, count)), initialBatch: initialBatch) { _ in await body() }
        return (r.successes, r.error)
    }
}
