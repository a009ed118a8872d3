import ControllerRuntime
import Logging

/// Deletes Events whose last occurrence is older than `--event-ttl` (default 1 h), as
/// Kubernetes' apiserver does with etcd leases: a repeat bumps `lastTimestamp`, which
/// starts the event's time to live over.
///
/// Scans page by page with a pause between pages, so memory stays flat and the apiserver
/// sees a trickle rather than a burst however many events there are (10,000 simulated
/// nodes leave 10,000 RegisteredNode events). Deletes carry the resourceVersion they saw,
/// so an event bumped meanwhile survives until the next pass.
///
/// Timestamps in events come from the recorder's clock, so each is capped at the time this
/// controller first saw that version of the event: a host whose clock runs ahead cannot
/// make its events live forever.
///
/// It keeps no informer on purpose: caching every Event (a pod start alone records several)
/// would cost the apiserver memory in proportion to all events stored.
actor EventTTLController {
    let client: Client
    let logger: Logger
    let ttl: Double
    let clock: any RuntimeClock
    /// namespace/name → the resourceVersion seen and its capped last-seen time. Entries for
    /// events gone from the store are dropped at the end of each full pass.
    private var observed: [String: (resourceVersion: String, lastSeen: Double)] = [:]
    /// The events seen in the current pass.
    private var present = Set<String>()

    init(client: Client, logger: Logger, ttl: Double, clock: any RuntimeClock = SystemClock()) {
        self.client = client
        self.logger = logger
        self.ttl = ttl
        self.clock = clock
    }

    /// How often to scan: a tenth of the TTL, between 1 s and 5 min (an event lives at
    /// most that much past its TTL).
    nonisolated var period: Double { min(300, max(1, ttl / 10)) }
    /// Pause between pages of 200.
    let pagePause: Double = 0.02

    func run() async {
        while !Task.isCancelled {
            do { try await clock.sleep(for: period) } catch { return }
            do {
                let n = try await expire(now: clock.now)
                if n > 0 { logger.info("expired events deleted", metadata: ["count": .stringConvertible(n)]) }
            } catch {
                logger.debug("event expiry pass failed", metadata: ["error": .string(error.message)])
            }
        }
    }

    /// One pass; returns how many events it deleted.
    func expire(now: Double) async throws(Status) -> Int {
        var req = Request(verb: .list, resource: ResourceType.events.plural)
        req.limit = 200
        var deleted = 0
        present = []
        while true {
            let page = try await client.request(req).object
            for e in page["items"].arrayValue ?? [] {
                let meta = e["metadata"]
                guard let name = meta["name"].stringValue, let last = lastSeen(e, now: now), now - last > ttl else { continue }
                present.remove("\(meta["namespace"].stringValue ?? "")/\(name)")
                do {
                    try await client.delete(.events, namespace: meta["namespace"].stringValue, name: name,
                                            resourceVersion: meta["resourceVersion"].stringValue)
                    deleted += 1
                } catch {
                    if !error.isNotFound && !error.isConflict { throw error }
                }
            }
            guard let next = page["metadata"]["continue"].stringValue, !next.isEmpty else {
                observed = observed.filter { present.contains($0.key) }
                return deleted
            }
            req.continueToken = next
            try? await clock.sleep(for: pagePause)
        }
    }

    /// When the event last happened: the newest of its timestamps, but no later than when
    /// this version of it was first seen here. Remembers the event as present.
    private func lastSeen(_ e: JSON, now: Double) -> Double? {
        let meta = e["metadata"]
        let key = "\(meta["namespace"].stringValue ?? "")/\(meta["name"].stringValue ?? "")"
        let rv = meta["resourceVersion"].stringValue ?? ""
        present.insert(key)
        if let o = observed[key], o.resourceVersion == rv { return o.lastSeen }
        guard let stamped = Self.newestTimestamp(e) else { return nil }
        let last = min(stamped, now)
        observed[key] = (rv, last)
        return last
    }

    /// The newest of an event's timestamps, as its recorder wrote them.
    static func newestTimestamp(_ e: JSON) -> Double? {
        [e["lastTimestamp"], e["eventTime"], e["series"]["lastObservedTime"], e["metadata"]["creationTimestamp"]]
            .compactMap { $0.stringValue.flatMap(Timestamp.parse) }.max()
    }
}
