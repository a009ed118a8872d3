/// Kubernetes' `slowStartBatch`: runs `count` calls of `body` in batches of 1, 2, 4, ...
/// (each batch at once), so a ReplicaSet whose pods all fail (a quota, a bad template) makes
/// one failing request, not hundreds; stops after the first batch with a failure.
enum SlowStart {
    /// How many calls succeeded, and the first error seen (nil if none).
    static func run(count: Int, initialBatch: Int = 1,
                    _ body: @escaping @Sendable () async -> Status?) async -> (successes: Int, error: Status?) {
        var remaining = count, successes = 0
        var batch = min(remaining, initialBatch)
        while batch > 0 {
            let errors = await withTaskGroup(of: Status?.self) { g -> [Status] in
                for _ in 0..<batch { g.addTask { await body() } }
                var errors: [Status] = []
                for await e in g { if let e { errors.append(e) } }
                return errors
            }
            successes += batch - errors.count
            if let first = errors.first { return (successes, first) }
            remaining -= batch
            batch = min(2 * batch, remaining)
        }
        return (successes, nil)
    }
}
