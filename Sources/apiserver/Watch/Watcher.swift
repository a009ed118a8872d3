import Synchronization

/// One watch stream: a request on a connection, its filter, and where it has got to.
///
/// Thread-safety: its mutable state is guarded by the hub's lock (`WatchHub.state`); the
/// sink may be written from any thread.
final class Watcher: @unchecked Sendable {
    enum Phase {
        /// Replaying history (from the ring or the log) on its own task; the hub skips it
        /// until it has caught up with the latest revision.
        case catchingUp
        case live
        case ended
    }

    let requestID: Int
    let sink: FramedConnection
    let resource: ResourceType
    let range: KeyRange
    let filter: ObjectFilter
    let bookmarks: Bool
    /// The largest frame its client accepts.
    let frameLimit: Int
    /// Sends the watch's final response once it ends (cancel, overflow, shutdown).
    let finish: @Sendable (Status?) -> Void

    // Guarded by the hub lock.
    var phase: Phase = .catchingUp
    var lastRevision: Int64
    /// Monotonic time of its next bookmark (when it asked for them).
    var nextBookmark: Double = 0

    init(requestID: Int, sink: FramedConnection, resource: ResourceType, range: KeyRange, filter: ObjectFilter,
         bookmarks: Bool, after revision: Int64, frameLimit: Int = FrameLimits.default.maxFrameBytes,
         finish: @escaping @Sendable (Status?) -> Void) {
        self.frameLimit = frameLimit
        self.requestID = requestID
        self.sink = sink
        self.resource = resource
        self.range = range
        self.filter = filter
        self.bookmarks = bookmarks
        self.lastRevision = revision
        self.finish = finish
    }

    /// The watch type this watcher should see for `event`, or nil if it should see nothing.
    /// Uses the event's cached parses: under the hub's lock only.
    func eventType(for event: SharedEvent) -> String? {
        eventType(event.change, object: { event.object }, previous: { event.previous })
    }

    /// `eventType` parsing the objects afresh, for catch-up outside the hub's lock.
    func eventTypeUnlocked(for event: SharedEvent) -> String? {
        eventType(event.change, object: { (try? JSON.parse(event.change.bytes)) ?? .null },
                  previous: { event.change.previousBytes.flatMap { try? JSON.parse($0) } })
    }

    private func eventType(_ change: ChangeEvent, object: () -> JSON, previous: () -> JSON?) -> String? {
        guard range.contains(change.key.path) else { return nil }
        if filter.isTrivial { return change.kind.watchType }
        let now = filter.matches(object())
        switch change.kind {
        case .added: return now ? "ADDED" : nil
        // A delete counts if the object matched just before it, too (the write that released
        // the last finalizer may also have moved it out of the selector).
        case .deleted: return now || (previous().map(filter.matches) ?? false) ? "DELETED" : nil
        case .modified:
            let before = previous().map(filter.matches) ?? false
            switch (before, now) {
            case (true, true): return "MODIFIED"
            case (false, true): return "ADDED"
            case (true, false): return "DELETED"
            case (false, false): return nil
            }
        }
    }
}

/// A committed change plus its encoding, made once and shared by every watcher. Parsed
/// forms are kept only while the change is being fanned out (`shrink` drops them before it
/// goes into the history ring) and re-parsed on demand for filtered replays.
///
/// Thread-safety: used under the hub's lock only.
final class SharedEvent: @unchecked Sendable {
    let change: ChangeEvent
    /// `"event":"<TYPE>","object":{...}` for the change's own type.
    let body: [UInt8]
    private var parsedObject: JSON?
    private var parsedPrevious: JSON?

    init(_ change: ChangeEvent) {
        var light = change
        light.object = nil
        light.previous = nil
        self.change = light
        body = Message.sharedEventBody(type: change.kind.watchType, objectBytes: change.bytes)
        parsedObject = change.object
        parsedPrevious = change.previous
    }

    var object: JSON {
        if let o = parsedObject { return o }
        let o = (try? JSON.parse(change.bytes)) ?? .null
        parsedObject = o
        return o
    }

    var previous: JSON? {
        if let p = parsedPrevious { return p }
        guard let b = change.previousBytes else { return nil }
        let p = try? JSON.parse(b)
        parsedPrevious = p
        return p
    }

    /// Drops the parsed forms (memory) once the live fan-out is done.
    func shrink() {
        parsedObject = nil
        parsedPrevious = nil
    }

    /// The frame for watch `id`, with `type` (which differs from the change's own type only
    /// when a selector turned a modification into an arrival or departure).
    func frame(id: Int, type: String) -> [UInt8] {
        if type == change.kind.watchType { return Message.eventFrame(id: id, shared: body) }
        return Message.eventFrame(id: id, shared: Message.sharedEventBody(type: type, objectBytes: change.bytes))
    }
}
