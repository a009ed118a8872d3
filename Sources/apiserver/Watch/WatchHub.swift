import Synchronization

/// Tunables of watch fan-out.
struct WatchConfig: Sendable {
    /// Events kept in memory for resumes that never touch the disk. Default 10,000.
    var historyEvents = 10_000
    /// A watcher whose connection has more than this many bytes unsent is ended (it
    /// resumes from its last revision). Default 32 MiB.
    var maxPendingBytes = 32 << 20
}

/// Fans committed changes out to watchers, in revision order, encoding each event once.
///
/// Thread-safety: any thread; `publish` is called by the store's writer thread only.
final class WatchHub: @unchecked Sendable {
    struct State {
        var ring: [SharedEvent] = []
        var ringStart = 0
        /// Highest revision published.
        var latest: Int64 = 0
        var watchers: [String: ResourceWatchers] = [:]
    }

    /// A resource's watchers; those that named one object (`metadata.name=`) are indexed by
    /// that name, so 10,000 nodes each watching their own Node cost one lookup per event.
    struct ResourceWatchers {
        var all: [ObjectIdentifier: Watcher] = [:]
        var byName: [String: [ObjectIdentifier: Watcher]] = [:]

        var count: Int { all.count + byName.values.reduce(0) { $0 + $1.count } }

        mutating func insert(_ w: Watcher) {
            if let n = w.filter.name { byName[n, default: [:]][ObjectIdentifier(w)] = w } else { all[ObjectIdentifier(w)] = w }
        }

        mutating func remove(_ w: Watcher) {
            if let n = w.filter.name {
                byName[n]?.removeValue(forKey: ObjectIdentifier(w))
                if byName[n]?.isEmpty == true { byName[n] = nil }
            } else {
                all.removeValue(forKey: ObjectIdentifier(w))
            }
        }

        var everyone: [Watcher] { Array(all.values) + byName.values.flatMap { $0.values } }
    }

    let config: WatchConfig
    let state: Mutex<State>

    init(config: WatchConfig = WatchConfig(), latest: Int64) {
        var config = config
        config.historyEvents = max(1, config.historyEvents)
        self.config = config
        var s = State()
        s.latest = latest
        state = Mutex(s)
    }

    var watcherCount: Int { state.withLock { $0.watchers.values.reduce(0) { $0 + $1.count } } }

    /// Publishes changes committed in one batch (writer thread, revision order).
    func publish(_ changes: [ChangeEvent]) {
        var ended: [(Watcher, Status)] = []
        state.withLock { s in
            for c in changes {
                let e = SharedEvent(c)
                if s.ring.count < config.historyEvents {
                    s.ring.append(e)
                } else {
                    s.ring[s.ringStart] = e
                    s.ringStart = (s.ringStart + 1) % s.ring.count
                }
                s.latest = c.revision
                guard let ws = s.watchers[c.key.resource] else { continue }
                for (_, w) in ws.all {
                    if let why = deliver(e, to: w) { ended.append((w, why)) }
                }
                for (_, w) in ws.byName[c.key.name] ?? [:] {
                    if let why = deliver(e, to: w) { ended.append((w, why)) }
                }
            }
            for (w, _) in ended { remove(w, from: &s) }
            for k in 0..<min(changes.count, s.ring.count) {
                s.ring[(s.ringStart + s.ring.count - 1 - k) % s.ring.count].shrink()
            }
        }
        for (w, why) in ended { w.finish(why) }
    }

    /// Sends `e` to `w` if it matches; returns why the watcher must end, if it must.
    /// Caller holds the lock.
    private func deliver(_ e: SharedEvent, to w: Watcher) -> Status? {
        guard e.change.revision > w.lastRevision else { return nil }
        switch w.phase {
        case .ended: return nil
        case .catchingUp:
            w.buffer.append(e)
            return nil
        case .live:
            w.lastRevision = e.change.revision
            guard let type = w.eventType(for: e) else { return nil }
            if w.sink.pendingOutputBytes > config.maxPendingBytes {
                w.phase = .ended
                return Status.tooManyRequests("watch closed: the client did not keep up (\(w.sink.pendingOutputBytes) bytes unsent); resume from resourceVersion \(e.change.revision - 1)", retryAfterSeconds: 1)
            }
            w.sink.send(e.frame(id: w.requestID, type: type))
            return nil
        }
    }

    private func remove(_ w: Watcher, from s: inout State) {
        w.phase = .ended
        s.watchers[w.resource.plural]?.remove(w)
    }

    /// Stops delivering to `w` (cancel or connection closed). Does not call `finish`.
    func remove(_ w: Watcher) {
        state.withLock { s in remove(w, from: &s) }
    }

    /// Starts delivering to `w` every matching change after `w.lastRevision`: from memory
    /// if the history ring still holds them, else from the store's log, then live.
    /// Throws 410 Gone if that revision has been compacted away.
    func start(_ w: Watcher, store: Store) throws(Status) {
        let after = w.lastRevision
        var overflow: Status? = nil
        let target: Int64? = state.withLock { s -> Int64? in
            if w.phase == .ended { return nil }
            s.watchers[w.resource.plural, default: ResourceWatchers()].insert(w)
            if after >= s.latest {
                w.phase = .live
                return nil
            }
            let oldest = s.ring.isEmpty ? s.latest + 1 : s.ring[s.ringStart].change.revision
            if after >= oldest - 1 {
                w.phase = .live
                for k in 0..<s.ring.count where overflow == nil {
                    let e = s.ring[(s.ringStart + k) % s.ring.count]
                    if e.change.revision > after { overflow = deliver(e, to: w) }
                }
                if overflow != nil { remove(w, from: &s) }
                return nil
            }
            w.phase = .catchingUp
            return s.latest
        }
        if let overflow { w.finish(overflow) }
        guard let target else { return }
        let replay: [ChangeEvent]
        do {
            replay = try store.changes(in: w.range, after: after, through: target)
        } catch {
            remove(w)
            throw error
        }
        let ended: Status? = state.withLock { s -> Status? in
            guard w.phase == .catchingUp else { return nil }
            w.phase = .live
            let buffered = w.buffer
            w.buffer = []
            for e in replay.lazy.map(SharedEvent.init) + buffered {
                if let why = deliver(e, to: w) {
                    remove(w, from: &s)
                    return why
                }
            }
            return nil
        }
        if let ended { w.finish(ended) }
    }

    /// Sends a BOOKMARK carrying the latest revision to every live watcher that asked for them.
    func sendBookmarks() {
        state.withLock { s in
            let rev = s.latest
            for (_, ws) in s.watchers {
                for w in ws.everyone where w.bookmarks && w.phase == .live {
                    // Never behind what the watcher has already been told.
                    let obj: JSON = ["kind": .string(w.resource.kind), "apiVersion": .string(w.resource.apiVersion),
                                     "metadata": ["resourceVersion": .string(String(max(rev, w.lastRevision)))]]
                    w.sink.send(Message.event(id: w.requestID, type: "BOOKMARK", object: obj).frame)
                }
            }
        }
    }

    /// Ends every watch (shutdown).
    func endAll(_ why: Status) {
        let all = state.withLock { s -> [Watcher] in
            let ws = s.watchers.values.flatMap { $0.everyone }
            for w in ws { w.phase = .ended }
            s.watchers.removeAll()
            return ws
        }
        for w in all { w.finish(why) }
    }
}
