import Synchronization

/// Records `v1/Event`s about objects, as Kubernetes' event recorder does: best effort and
/// never blocking the caller. A repeat of an event (same object, type, reason and message)
/// bumps `count` and `lastTimestamp` on the Event already written instead of adding one.
///
/// Events queue up to `maxPending` (later ones are dropped and counted) and are sent in
/// order by one task, each tried a few times with back-off: an apiserver outage loses
/// events, never blocks the component that records them.
///
/// Thread-safety: any task. Call `close` when done (it does not close the client).
public final class EventRecorder: Sendable {
    public let client: Client
    public let source: EventSource
    private let queue: AsyncStream<Pending>.Continuation
    private let sender: Task<Void, Never>
    private let state = EventCounters()

    struct Pending: Sendable {
        var involved: ObjectReference
        var type: String
        var reason: String
        var message: String
        var time: Double
    }


    /// `component` goes in `source.component` and `reportingComponent`; `host` in
    /// `source.host` and `reportingInstance`.
    public init(client: Client, component: String, host: String? = nil, maxPending: Int = 1000) {
        self.client = client
        let source = EventSource(component: component, host: host)
        self.source = source
        let (stream, continuation) = AsyncStream<Pending>.makeStream(bufferingPolicy: .bufferingOldest(maxPending))
        queue = continuation
        let sink = EventSink(client: client, source: source)
        let counters = state
        sender = Task.detached {
            var sink = sink
            for await p in stream {
                // `close` drops what is still queued (finish alone would deliver it).
                let dropped = counters.lock.withLock { c -> Bool in
                    guard c.closed else { return false }
                    c.queued -= 1
                    c.dropped += 1
                    return true
                }
                if dropped { continue }
                let ok = await sink.send(p)
                counters.lock.withLock { c in
                    c.queued -= 1
                    if ok { c.sent += 1 } else { c.failed += 1 }
                }
            }
        }
    }

    /// Queues an event about `involved`; `type` is "Normal" or "Warning".
    public func record(_ involved: ObjectReference, type: String = "Normal", reason: String, message: String) {
        let p = Pending(involved: involved, type: type, reason: reason, message: message, time: Timestamp.nowSeconds())
        state.lock.withLock { $0.queued += 1 }
        if case .enqueued = queue.yield(p) { return }
        state.lock.withLock { c in
            c.queued -= 1
            c.dropped += 1
        }
    }

    /// Events queued and not yet sent (or given up on).
    public var pending: Int { state.lock.withLock { $0.queued } }
    /// Events given up on: dropped when the queue was full, or failed after retries.
    public var lost: Int { state.lock.withLock { $0.dropped + $0.failed } }
    /// All three counts read at one instant.
    public var counts: (pending: Int, sent: Int, lost: Int) {
        state.lock.withLock { ($0.queued, $0.sent, $0.dropped + $0.failed) }
    }

    /// Waits until every queued event was sent or given up on (at most `timeout` seconds).
    public func flush(timeout: Double = 10) async {
        let deadline = Timestamp.nowSeconds() + timeout
        while pending > 0 && Timestamp.nowSeconds() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops sending; what is still queued is dropped.
    public func close() {
        state.lock.withLock { $0.closed = true }
        queue.finish()
        sender.cancel()
    }
}

/// How many events are queued, sent and lost; shared with the sender task.
final class EventCounters: Sendable {
    struct Counts {
        var queued = 0
        var dropped = 0
        var sent = 0
        var failed = 0
        var closed = false
    }
    let lock = Mutex(Counts())
}

/// Writes events for one `EventRecorder`, remembering the Events it wrote so repeats
/// become count bumps. Owned by the sender task.
struct EventSink: Sendable {
    let client: Client
    let source: EventSource
    /// What we wrote per event identity, so a repeat bumps the count. Bounded: cleared when
    /// full (a repeat after that starts a new Event, as after a restart).
    var written: [String: (namespace: String, name: String, count: Int)] = [:]
    static let maxRemembered = 4096
    /// The last name suffix used: names take the wall clock in nanoseconds, bumped so that
    /// two events in the same nanosecond (or a clock step back) still get distinct names.
    var lastNanos: UInt64 = 0

    init(client: Client, source: EventSource) {
        self.client = client
        self.source = source
    }

    /// Sends one event, trying up to three times. False when it was given up on.
    mutating func send(_ p: EventRecorder.Pending) async -> Bool {
        var delay = 0.5
        for attempt in 1...3 {
            do {
                try await sendOnce(p)
                return true
            } catch {
                if error.code == 400 || error.code == 403 || error.code == 422 || attempt == 3 || Task.isCancelled { return false }
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                delay *= 2
            }
        }
        return false
    }

    private mutating func sendOnce(_ p: EventRecorder.Pending) async throws(Status) {
        let key = [p.involved.kind, p.involved.namespace, p.involved.name, p.involved.uid, p.type, p.reason, p.message]
            .map { $0 ?? "" }.joined(separator: "\u{0}")
        let now = Timestamp.format(p.time)
        if let prior = written[key] {
            let patch: JSON = ["count": .int(prior.count + 1), "lastTimestamp": .string(now)]
            do {
                _ = try await client.patch(.events, namespace: prior.namespace, name: prior.name, patch)
                written[key]?.count = prior.count + 1
                return
            } catch {
                // Gone (expired by the event TTL): write a new one.
                guard error.isNotFound else { throw error }
                written[key] = nil
            }
        }
        let namespace = p.involved.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        var event = Event(metadata: ObjectMeta(namespace: namespace), involvedObject: p.involved,
                          reason: p.reason, message: p.message, type: p.type)
        event.source = source
        event.reportingComponent = source.component
        event.reportingInstance = source.host
        event.firstTimestamp = now
        event.lastTimestamp = now
        event.count = 1
        // Kubernetes' naming: the object's name and the time in nanoseconds, in hex. Another
        // recorder (the kubelet and node-controller both write about a Node) may have taken
        // the name: then the next nanosecond.
        var name = ""
        for attempt in 1...3 {
            lastNanos = max(Timestamp.nowNanos(), lastNanos + 1)
            name = "\(p.involved.name ?? "unknown").\(String(lastNanos, radix: 16))"
            event.metadata.name = name
            let body: JSON
            do { body = try JSON(encoding: event) } catch { throw Status.badRequest("cannot encode event: \(error)") }
            do {
                _ = try await client.create(.events, namespace: namespace, body)
                break
            } catch {
                guard error.isAlreadyExists, attempt < 3 else { throw error }
            }
        }
        if written.count >= Self.maxRemembered { written.removeAll(keepingCapacity: true) }
        written[key] = (namespace, name, 1)
    }
}
