import Synchronization

/// Tunables of watch fan-out.
struct WatchConfig: Sendable {
    /// Events kept in memory for resumes that never touch the disk. Default 10,000.
    var historyEvents = 10_000
    /// A watcher whose connection has more than this many bytes unsent is ended (it
    /// resumes from its last revision). Default 32 MiB.
    var maxPendingBytes = 32 << 20
    /// About how often a watcher that asked for bookmarks gets one. Default 10 s.
    var bookmarkIntervalSeconds: Double = 10
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
    /// that name, and those that asked for one node's objects (`spec.nodeName=`) by that
    /// node, so 10,000 nodes each watching their own Node or pods cost one lookup per event.
    struct ResourceWatchers {
        var all: [ObjectIdentifier: Watcher] = [:]
        var byName: [String: [ObjectIdentifier: Watcher]] = [:]
        var byNodeName: [String: [ObjectIdentifier: Watcher]] = [:]

        var count: Int { all.count + byName.values.reduce(0) { $0 + $1.count } + byNodeName.values.reduce(0) { $0 + $1.count } }

        mutating func insert(_ w: Watcher) {
            let id = ObjectIdentifier(w)
            if let n = w.filter.name {
                byName[n, default: [:]][id] = w
            } else if let node = w.filter.nodeName {
                byNodeName[node, default: [:]][id] = w
            } else {
                all[id] = w
            }
        }

        mutating func remove(_ w: Watcher) {
            let id = ObjectIdentifier(w)
            if let n = w.filter.name {
                byName[n]?.removeValue(forKey: id)
                if byName[n]?.isEmpty == true { byName[n] = nil }
            } else if let node = w.filter.nodeName {
                byNodeName[node]?.removeValue(forKey: id)
                if byNodeName[node]?.isEmpty == true { byNodeName[node] = nil }
            } else {
                all.removeValue(forKey: id)
            }
        }

        var everyone: [Watcher] { Array(all.values) + byName.values.flatMap { $0.values } + byNodeName.values.flatMap { $0.values } }

        /// Watchers indexed by node that may care about `e`: those of the node the object is
        /// on now and of the node it was on before the change (it may have moved out).
        func nodeWatchers(for e: SharedEvent) -> [Watcher] {
            guard !byNodeName.isEmpty else { return [] }
            let now = e.object["spec"]["nodeName"].stringValue ?? ""
            let before = e.previous?["spec"]["nodeName"].stringValue ?? ""
            var out = Array((byNodeName[now] ?? [:]).values)
            if before != now { out += (byNodeName[before] ?? [:]).values }
            return out
        }
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
                for w in ws.nodeWatchers(for: e) {
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

    /// Sends `e` to live watcher `w` if it matches; returns why the watcher must end, if
    /// it must. Caller holds the lock. Watchers still catching up are skipped: their task
    /// reads this event back from the ring or the log.
    private func deliver(_ e: SharedEvent, to w: Watcher) -> Status? {
        guard w.phase == .live, e.change.revision > w.lastRevision else { return nil }
        w.lastRevision = e.change.revision
        guard let type = w.eventType(for: e) else { return nil }
        return send(e.frame(id: w.requestID, type: type), to: w, revision: e.change.revision)
    }

    /// Queues one event frame for `w`; why the watch must end instead, if it must.
    private func send(_ frame: [UInt8], to w: Watcher, revision: Int64) -> Status? {
        if let tooLarge = Self.tooLarge(frame, limit: w.frameLimit, revision: revision) { return tooLarge }
        if w.sink.pendingOutputBytes > config.maxPendingBytes {
            return Status.tooManyRequests("watch closed: the client did not keep up (\(w.sink.pendingOutputBytes) bytes unsent); resume from resourceVersion \(revision - 1)", retryAfterSeconds: 1)
        }
        // A closed connection: drop the watcher now rather than when its close is processed.
        if !w.sink.send(frame) { return Status.unavailable("the watch's connection is closed") }
        return nil
    }

    /// Why an event frame cannot go to a client that accepts frames of at most `limit`
    /// bytes (it asked for less in its hello than the object needs), if it cannot.
    static func tooLarge(_ frame: [UInt8], limit: Int, revision: Int64) -> Status? {
        guard frame.count - 4 > limit else { return nil }
        return Status(code: 413, reason: Status.Reason.requestEntityTooLarge,
                      message: "watch closed: the event at resourceVersion \(revision) is \(frame.count - 4) bytes, more than the largest frame this connection accepts (\(limit) bytes)")
    }

    private func remove(_ w: Watcher, from s: inout State) {
        w.phase = .ended
        s.watchers[w.resource.plural]?.remove(w)
    }

    /// Stops delivering to `w` (cancel or connection closed). Does not call `finish`.
    func remove(_ w: Watcher) {
        state.withLock { s in remove(w, from: &s) }
    }

    /// Changes replayed per step of a catch-up, between two looks at the hub's state.
    static let catchUpPage = 1000

    /// Delivers to `w` every matching change after `w.lastRevision`, then live ones. The
    /// replay runs on the caller's task in pages, outside the hub's lock: from the history
    /// ring while it still holds them, else from the store's log; each page waits until
    /// the client has read most of the previous ones. Meanwhile `publish` skips `w`; once a
    /// look under the lock finds it at the latest revision it goes live, with no gap.
    /// Throws 410 Gone if that revision has been compacted away.
    func start(_ w: Watcher, store: Store) async throws(Status) {
        enum Step {
            case done
            case replay([SharedEvent], through: Int64?)
            case fromLog(through: Int64)
        }
        var last = w.lastRevision
        state.withLock { s in
            if w.phase != .ended { s.watchers[w.resource.plural, default: ResourceWatchers()].insert(w) }
        }
        while true {
            let step = state.withLock { s -> Step in
                if w.phase == .ended { return .done }
                w.lastRevision = last
                if last >= s.latest {
                    w.phase = .live
                    scheduleBookmark(w)
                    return .done
                }
                let oldest = s.ring.isEmpty ? s.latest + 1 : s.ring[s.ringStart].change.revision
                if last >= oldest - 1 { return .replay(ringSlice(s, after: last), through: nil) }
                return .fromLog(through: s.latest)
            }
            var events: [SharedEvent]
            var through: Int64?
            switch step {
            case .done: return
            case .replay(let e, let t): (events, through) = (e, t)
            case .fromLog(let target):
                let page: [ChangeEvent]
                do {
                    let from = last
                    page = try await store.blocking.perform { () throws(Status) -> [ChangeEvent] in
                        try store.changes(in: w.range, after: from, through: target, limit: Self.catchUpPage)
                    }
                } catch {
                    remove(w)
                    throw error
                }
                events = page.map(SharedEvent.init)
                // A short page read everything up to the target.
                through = page.count < Self.catchUpPage ? target : nil
            }
            for e in events where e.change.revision > last {
                last = e.change.revision
                guard let type = w.eventTypeUnlocked(for: e) else { continue }
                if let why = send(e.frame(id: w.requestID, type: type), to: w, revision: e.change.revision) {
                    return end(w, why)
                }
            }
            if let through { last = max(last, through) }
            guard await w.sink.waitForOutput(below: config.maxPendingBytes / 2) else {
                return end(w, Status.unavailable("the watch's connection is closed"))
            }
        }
    }

    private func end(_ w: Watcher, _ why: Status) {
        let owned = state.withLock { s -> Bool in
            guard w.phase != .ended else { return false }
            remove(w, from: &s)
            return true
        }
        if owned { w.finish(why) }
    }

    /// Up to `catchUpPage` ring events after revision `after`, in order. Caller holds the lock.
    private func ringSlice(_ s: State, after: Int64) -> [SharedEvent] {
        let n = s.ring.count
        func at(_ k: Int) -> SharedEvent { s.ring[(s.ringStart + k) % n] }
        var lo = 0, hi = n
        while lo < hi {
            let mid = (lo + hi) / 2
            if at(mid).change.revision <= after { lo = mid + 1 } else { hi = mid }
        }
        return (lo..<min(n, lo + Self.catchUpPage)).map(at)
    }

    /// Sets when live watcher `w` gets its next bookmark: within one interval at random the
    /// first time, then every interval give or take a tenth, so bookmarks do not all go out in
    /// one burst. Caller holds the lock.
    private func scheduleBookmark(_ w: Watcher, now: Double = Monotonic.seconds()) {
        guard w.bookmarks else { return }
        let interval = config.bookmarkIntervalSeconds
        w.nextBookmark = now + (w.nextBookmark == 0 ? Double.random(in: 0..<interval) : interval * Double.random(in: 0.9...1.1))
    }

    /// Sends a BOOKMARK carrying the latest revision to every live watcher whose bookmark is
    /// due (call it about once a second). Sent under the lock, as events are, so a bookmark
    /// can never overtake an event with a higher revision; the jitter keeps each tick to
    /// about a tenth of the watchers (each send is a copy into the connection's buffer).
    func sendBookmarks(now: Double = Monotonic.seconds()) {
        state.withLock { s in
            let rev = s.latest
            for (_, ws) in s.watchers {
                for w in ws.everyone where w.bookmarks && w.phase == .live && w.nextBookmark <= now {
                    scheduleBookmark(w, now: now)
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
