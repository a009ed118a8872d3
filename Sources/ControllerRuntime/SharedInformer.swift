import Synchronization
import Wire

/// What a shared informer's handlers see. A resync delivers `updated` with the same object
/// as old and new, as client-go does.
public enum ResourceEvent: Sendable {
    case added(JSON)
    case updated(old: JSON, new: JSON)
    /// `finalStateUnknown`: the delete was missed (during a disconnect) and found by a relist;
    /// the object is the last state the cache held (client-go's tombstone).
    case deleted(JSON, finalStateUnknown: Bool)
}

/// One list+watch (Wire's `Informer`) feeding an indexed cache and any number of handlers.
/// Each handler has its own unbounded buffer drained by its own task, so a slow handler
/// delays only itself: the watch, the cache and other handlers go on.
///
/// Thread-safety: any task. Get one from a `SharedInformerFactory`.
public final class SharedInformer: Sendable {
    public let informer: Informer
    public let indexer: Indexer
    public let clock: any RuntimeClock
    /// Seconds between resyncs (every cached object re-delivered as an update); 0: none.
    public let resyncPeriod: Double

    private struct State {
        var handlers: [Int: AsyncStream<ResourceEvent>.Continuation] = [:]
        var handlerTasks: [Int: Task<Void, Never>] = [:]
        var nextHandler = 0
        var tasks: [Task<Void, Never>] = []
        var synced = false
        var started = false
        var stopped = false
    }
    private let state = Mutex(State())

    init(informer: Informer, clock: any RuntimeClock, resyncPeriod: Double, indexers: [String: IndexFunction]) {
        self.informer = informer
        self.clock = clock
        self.resyncPeriod = resyncPeriod
        indexer = Indexer(indexers: indexers)
    }

    /// True once the first full list is in the cache.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// Registers a handler; objects already cached are delivered to it as adds first. A
    /// handler registered inside a `HandlerScope` is removed when that scope closes.
    @discardableResult
    public func addHandler(_ handler: @escaping @Sendable (ResourceEvent) async -> Void) -> HandlerRegistration {
        let (stream, cont) = AsyncStream<ResourceEvent>.makeStream()
        let task = Task {
            for await e in stream { await handler(e) }
        }
        // Under the informer's lock, so no change slips between the snapshot and registration.
        let id = state.withLock { s -> Int? in
            guard !s.stopped else { return nil }
            for o in indexer.list() { cont.yield(.added(o)) }
            s.nextHandler += 1
            s.handlers[s.nextHandler] = cont
            s.handlerTasks[s.nextHandler] = task
            return s.nextHandler
        }
        guard let id else {
            cont.finish()
            return HandlerRegistration(id: 0)
        }
        let registration = HandlerRegistration(id: id)
        if let scope = HandlerScope.current, !scope.adopt({ [self] in removeHandler(registration) }) { removeHandler(registration) }
        return registration
    }

    /// Stops delivering to a handler (client-go's `RemoveEventHandler`): events already
    /// buffered for it are dropped and its task is cancelled.
    public func removeHandler(_ registration: HandlerRegistration) {
        let (cont, task) = state.withLock { s in (s.handlers.removeValue(forKey: registration.id), s.handlerTasks.removeValue(forKey: registration.id)) }
        cont?.finish()
        task?.cancel()
    }

    /// Handlers registered and not removed.
    public var handlerCount: Int { state.withLock { $0.handlers.count } }

    /// Starts the list+watch (and resync); later calls do nothing.
    func start() {
        let first = state.withLock { s -> Bool in
            defer { s.started = true }
            return !s.started && !s.stopped
        }
        guard first else { return }
        let watch = Task { await informer.run { [self] e in self.receive(e) } }
        var tasks = [watch]
        if resyncPeriod > 0 {
            tasks.append(Task { [self] in
                while !Task.isCancelled {
                    do { try await clock.sleep(for: resyncPeriod) } catch { return }
                    resync()
                }
            })
        }
        state.withLock { $0.tasks += tasks }
    }

    func stop() {
        let (tasks, handlers) = state.withLock { s in
            s.stopped = true
            defer { s.tasks = []; s.handlers = [:]; s.handlerTasks = [:] }
            return (s.tasks + s.handlerTasks.values, Array(s.handlers.values))
        }
        for h in handlers { h.finish() }
        for t in tasks { t.cancel() }
    }

    /// Waits until synced (polling lightly); false if the task is cancelled first.
    public func waitForSync() async -> Bool {
        while !hasSynced {
            if Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Applies a change to the cache and fans it out, under the lock so handlers registering
    /// concurrently see each change exactly once.
    private func receive(_ e: InformerEvent) {
        state.withLock { s in
            let out: ResourceEvent
            switch e {
            case .added(let o):
                indexer.put(o)
                out = .added(o)
            case .updated(let old, let new):
                indexer.put(new)
                out = .updated(old: old, new: new)
            case .deleted(let o, let unknown):
                indexer.remove(key: Indexer.key(o))
                out = .deleted(o, finalStateUnknown: unknown)
            case .synced:
                s.synced = true
                return
            }
            for h in s.handlers.values { h.yield(out) }
        }
    }

    private func resync() {
        state.withLock { s in
            for o in indexer.list() {
                for h in s.handlers.values { h.yield(.updated(old: o, new: o)) }
            }
        }
    }
}
