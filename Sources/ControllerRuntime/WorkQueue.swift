import Synchronization

/// A work queue with client-go's semantics: a key waiting is queued once however often it
/// is added (the dirty set); a key being processed (handed out by `get`, not yet `done`) is
/// never handed to a second worker: adding it meanwhile marks it dirty, and `done` queues
/// it again. `get` blocks until a key is available or the queue shuts down.
///
/// Rate-limited requeue (`addRateLimited`) waits 5 ms doubling per failure of that key up to
/// 1000 s (client-go's default per-item back-off); `forget` resets a key's count. Delayed
/// adds run on the injected clock and are dropped at shutdown.
///
/// Thread-safety: any task.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var queue: [Key] = []
        var head = 0
        var dirty: Set<Key> = []
        var processing: Set<Key> = []
        var getters: [CheckedContinuation<Key?, Never>] = []
        var failures: [Key: Int] = [:]
        /// Delayed adds: key → when (the earliest, if added after twice). One timer task
        /// sleeps until the earliest, however many keys wait.
        var delayed: [Key: Double] = [:]
        var timer: Task<Void, Never>?
        var timerDeadline = Double.infinity
        var timerGeneration = 0
        var shuttingDown = false

        mutating func pop() -> Key {
            let k = queue[head]
            head += 1
            if head > 64 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return k
        }
    }

    private let state = Mutex(State())
    public let clock: any RuntimeClock
    public let baseDelay: Double
    public let maxDelay: Double

    public init(clock: any RuntimeClock = SystemClock(), baseDelay: Double = 0.005, maxDelay: Double = 1000) {
        self.clock = clock
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Keys waiting (not counting those being processed).
    public var count: Int { state.withLock { $0.queue.count - $0.head } }
    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }
    /// Keys waiting for a delayed add.
    public var delayedCount: Int { state.withLock { $0.delayed.count } }

    public func add(_ key: Key) {
        let getter = state.withLock { s -> CheckedContinuation<Key?, Never>? in
            if s.shuttingDown || !s.dirty.insert(key).inserted || s.processing.contains(key) { return nil }
            if !s.getters.isEmpty {
                // Hand it straight to a waiting worker.
                s.dirty.remove(key)
                s.processing.insert(key)
                return s.getters.removeFirst()
            }
            s.queue.append(key)
            return nil
        }
        getter?.resume(returning: key)
    }

    /// The next key, marked as processing until `done`; nil once the queue shuts down.
    public func get() async -> Key? {
        await withCheckedContinuation { (c: CheckedContinuation<Key?, Never>) in
            let ready = state.withLock { s -> Key?? in
                if s.queue.count > s.head {
                    let k = s.pop()
                    s.dirty.remove(k)
                    s.processing.insert(k)
                    return .some(k)
                }
                if s.shuttingDown { return .some(nil) }
                s.getters.append(c)
                return .none
            }
            if let ready { c.resume(returning: ready) }
        }
    }

    /// Ends processing of `key`; if it was added meanwhile it is queued again.
    public func done(_ key: Key) {
        let getter = state.withLock { s -> CheckedContinuation<Key?, Never>? in
            s.processing.remove(key)
            guard s.dirty.contains(key) else { return nil }
            if !s.getters.isEmpty {
                s.dirty.remove(key)
                s.processing.insert(key)
                return s.getters.removeFirst()
            }
            s.queue.append(key)
            return nil
        }
        getter?.resume(returning: key)
    }

    /// Adds `key` after `seconds` by the queue's clock, unless the queue has shut down by then.
    public func add(_ key: Key, after seconds: Double) {
        // NaN (a computation over a client's odd values) counts as now.
        if seconds <= 0 || seconds.isNaN { return add(key) }
        let deadline = clock.now + seconds
        state.withLock { s in
            guard !s.shuttingDown else { return }
            if let earlier = s.delayed[key], earlier <= deadline { return }
            s.delayed[key] = deadline
            if deadline < s.timerDeadline { arm(&s, deadline) }
        }
    }

    /// Replaces the timer with one firing at `deadline`.
    private func arm(_ s: inout State, _ deadline: Double) {
        s.timer?.cancel()
        s.timerGeneration += 1
        s.timerDeadline = deadline
        let generation = s.timerGeneration
        s.timer = Task { [clock] in
            do { try await clock.sleep(until: deadline) } catch { return }
            self.fire(generation)
        }
    }

    /// Adds the delayed keys that are due and re-arms for the next one.
    private func fire(_ generation: Int) {
        let now = clock.now
        let due = state.withLock { s -> [Key] in
            guard s.timerGeneration == generation, !s.shuttingDown else { return [] }
            let due = s.delayed.filter { $0.value <= now }.map(\.key)
            for k in due { s.delayed[k] = nil }
            s.timer = nil
            s.timerDeadline = .infinity
            if let next = s.delayed.values.min() { arm(&s, next) }
            return due
        }
        for k in due { add(k) }
    }

    /// Adds `key` after its back-off: 5 ms, then doubling per call until `forget`.
    public func addRateLimited(_ key: Key) {
        let n = state.withLock { s -> Int in
            let n = s.failures[key, default: 0]
            s.failures[key] = n + 1
            return n
        }
        add(key, after: backoff(failures: n))
    }

    public func backoff(failures n: Int) -> Double { min(maxDelay, baseDelay * pow2(n)) }
    private func pow2(_ n: Int) -> Double { n >= 60 ? .infinity : Double(UInt64(1) << UInt64(n)) }

    /// Times `key` was requeued with back-off since it was last forgotten.
    public func requeues(_ key: Key) -> Int { state.withLock { $0.failures[key, default: 0] } }
    public func forget(_ key: Key) { state.withLock { _ = $0.failures.removeValue(forKey: key) } }

    /// Stops taking keys, drops pending delayed adds and wakes every waiting `get` with nil.
    /// Keys already queued are still handed out (client-go drains too) until none is left.
    public func shutDown() {
        let (getters, timer) = state.withLock { s in
            s.shuttingDown = true
            defer { s.getters = []; s.delayed = [:]; s.timer = nil; s.timerDeadline = .infinity }
            return (s.getters, s.timer)
        }
        timer?.cancel()
        for g in getters { g.resume(returning: nil) }
    }

    /// Runs `workers` loops of get → `process` → done until shutdown (or cancellation,
    /// which shuts the queue down). Cancelled, the workers take no further key, queued or
    /// not: a controller that lost its leadership must stop writing (kube-controller-manager
    /// exits), since the new leader acts on what it lists.
    public func run(workers: Int, _ process: @escaping @Sendable (Key) async -> Void) async {
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { g in
                for _ in 0..<max(1, workers) {
                    g.addTask {
                        while !Task.isCancelled, let key = await self.get() {
                            if Task.isCancelled {
                                self.done(key)
                                break
                            }
                            await process(key)
                            self.done(key)
                        }
                    }
                }
            }
        } onCancel: {
            shutDown()
        }
    }
}
