import Logging
import Synchronization
import Wire

/// Lease-based leader election with client-go's semantics. A candidate takes the Lease
/// when it does not exist, when its `holderIdentity` is empty (released), or when the
/// record has not changed for `leaseDurationSeconds` *as this candidate observed it*, on
/// its own clock: the holder's `renewTime` is never compared with local time, so clock skew
/// between hosts cannot make a live leader look expired. Every write is an update at the
/// resourceVersion just read; a conflict means another candidate won.
///
/// `run` campaigns, leads, and when leadership is lost (no renewal landed within
/// `renewDeadline`, or another holder is seen) stops the loops and campaigns again, until
/// its task is cancelled; then it stops the loops and releases the Lease.
///
/// Thread-safety: any task; `run` once at a time.
public final class LeaderElector: Sendable {
    public let lock: any LeaderLock
    public let identity: String
    public let config: LeaderElectionConfig
    public let clock: any RuntimeClock
    let logger: Logger

    private struct State {
        /// The record last read or written, its resourceVersion, and when (by `clock`) it
        /// was last seen to change.
        var observed: LeaderElectionRecord?
        var observedVersion = ""
        var observedTime = 0.0
        var leading = false
        var terms = 0
    }
    private let state = Mutex(State())

    public init(lock: any LeaderLock, identity: String, config: LeaderElectionConfig = LeaderElectionConfig(),
                clock: any RuntimeClock = SystemClock(), logger: Logger = Logger(label: "leader-election")) {
        self.lock = lock
        self.identity = identity
        self.config = config
        self.clock = clock
        self.logger = logger
    }

    /// True while this elector leads (loops running).
    public var isLeader: Bool { state.withLock { $0.leading } }
    /// The holder in the record last observed ("" when released or never read).
    public var observedHolder: String { state.withLock { $0.observed?.holderIdentity ?? "" } }
    /// Terms of leadership started so far.
    public var termsStarted: Int { state.withLock { $0.terms } }

    /// Until cancelled: acquire, run `onStartedLeading` in a task of its own (inside a fresh
    /// `HandlerScope`) while renewing, and when leadership is lost cancel that task, wait for
    /// it, call `onStoppedLeading`, and campaign again.
    public func run(onStartedLeading: @escaping @Sendable () async -> Void, onStoppedLeading: @escaping @Sendable () -> Void = {}) async {
        while !Task.isCancelled {
            guard await acquire() else { break }
            let scope = HandlerScope()
            state.withLock {
                $0.leading = true
                $0.terms += 1
            }
            logger.info("became leader", metadata: ["lease": .string(lock.description), "identity": .string(identity)])
            lock.recordEvent("\(identity) became leader")
            let term = Task { await HandlerScope.$current.withValue(scope) { await onStartedLeading() } }
            let lost = await renewWhileLeading()
            term.cancel()
            await term.value
            scope.close()
            state.withLock { $0.leading = false }
            onStoppedLeading()
            if !lost {
                if config.releaseOnCancel { await release() }
                break
            }
            logger.warning("leadership lost: loops stopped; campaigning again", metadata: ["lease": .string(lock.description)])
            lock.recordEvent("\(identity) stopped leading")
        }
    }

    /// Tries every retry period (plus jitter) until this elector holds the Lease; false when
    /// cancelled first.
    func acquire() async -> Bool {
        while !Task.isCancelled {
            if await tryAcquireOrRenew() { return true }
            let wait = config.retryPeriod * (1 + Double.random(in: 0...max(0, config.jitterFactor)))
            do { try await clock.sleep(for: wait) } catch { return false }
        }
        return false
    }

    /// Renews every retry period. Returns true when leadership is lost (no renewal landed
    /// within `renewDeadline` of the last one, or the Lease shows another live holder);
    /// false when cancelled. (Loops that end by themselves do not end the term.) Each attempt
    /// gets only the time left until the deadline, so a hung API cannot keep the loops
    /// running past it.
    func renewWhileLeading() async -> Bool {
        // A renewal counts from when it was sent: the record cannot be older than that.
        var lastRenew = state.withLock { $0.observedTime }
        while !Task.isCancelled {
            let deadline = lastRenew + config.renewDeadline
            do { try await clock.sleep(until: min(clock.now + config.retryPeriod, deadline)) } catch { return false }
            let sent = clock.now
            if sent < deadline, await tryAcquireOrRenew(timeout: deadline - sent) {
                lastRenew = sent
                continue
            }
            if Task.isCancelled { return false }
            let (holder, version) = state.withLock { ($0.observed?.holderIdentity ?? "", $0.observedVersion) }
            if !holder.isEmpty && holder != identity {
                logger.warning("the lease has another holder", metadata: ["lease": .string(lock.description), "holder": .string(holder),
                                                                          "resourceVersion": .string(version)])
                return true
            }
            if clock.now >= deadline {
                logger.warning("failed to renew the lease within the renew deadline",
                               metadata: ["lease": .string(lock.description), "renewDeadline": .stringConvertible(config.renewDeadline)])
                return true
            }
        }
        return false
    }

    /// One attempt (client-go's `tryAcquireOrRenew`): true when this elector holds the
    /// Lease afterwards. Every request of it together gets at most `timeout` seconds
    /// (default: the renew deadline).
    func tryAcquireOrRenew(timeout: Double? = nil) async -> Bool {
        let now = clock.now
        let stamp = Timestamp.formatMicro(now)
        let end = now + (timeout ?? config.renewDeadline)
        var next = LeaderElectionRecord(holderIdentity: identity, leaseDurationSeconds: Int(config.leaseDuration.rounded(.up)),
                                        acquireTime: stamp, renewTime: stamp, leaseTransitions: 0)
        do throws(Status) {
            guard let (current, version) = try await lock.get(timeout: end - now) else {
                let created = try await lock.create(next, timeout: try Self.left(until: end, clock))
                observe(next, version: created, at: now)
                return true
            }
            // Seen when the GET returned: a slow read must not make the record look older.
            let seen = clock.now
            let held = state.withLock { s -> Bool in
                if s.observed != current {
                    s.observed = current
                    s.observedTime = seen
                }
                s.observedVersion = version
                return !current.holderIdentity.isEmpty && current.holderIdentity != identity
                    && s.observedTime + Double(current.leaseDurationSeconds) > seen
            }
            if held { return false }
            if current.holderIdentity == identity {
                next.acquireTime = current.acquireTime
                next.leaseTransitions = current.leaseTransitions
            } else {
                next.leaseTransitions = current.leaseTransitions + 1
            }
            let written = try await lock.update(next, resourceVersion: version, timeout: try Self.left(until: end, clock))
            observe(next, version: written, at: now)
            return true
        } catch {
            if !error.isConflict && !error.isAlreadyExists {
                logger.debug("lease attempt failed", metadata: ["lease": .string(lock.description), "error": .string(error.message)])
            }
            return false
        }
    }

    /// Seconds from now until `end`; a 504 when none are left.
    private static func left(until end: Double, _ clock: any RuntimeClock) throws(Status) -> Double {
        let left = end - clock.now
        if left <= 0 { throw Status.timeout("no time left before the renew deadline") }
        return left
    }

    private func observe(_ record: LeaderElectionRecord, version: String, at now: Double) {
        state.withLock { s in
            s.observed = record
            s.observedVersion = version
            s.observedTime = now
        }
    }

    /// Empties `holderIdentity` (lease duration 1 s, transitions kept), as client-go's
    /// release does, so a successor need not wait out the lease. Runs detached from the
    /// cancelled caller so the request still goes out; bounded by the renew deadline.
    func release() async {
        let (observed, version) = state.withLock { ($0.observed, $0.observedVersion) }
        guard let observed, observed.holderIdentity == identity else { return }
        let stamp = Timestamp.formatMicro(clock.now)
        let released = LeaderElectionRecord(holderIdentity: "", leaseDurationSeconds: 1, acquireTime: stamp, renewTime: stamp,
                                            leaseTransitions: observed.leaseTransitions)
        let lock = self.lock, timeout = min(config.renewDeadline, 5)
        let result = await Task { () -> Result<String, Status> in
            do throws(Status) { return .success(try await lock.update(released, resourceVersion: version, timeout: timeout)) } catch { return .failure(error) }
        }.value
        switch result {
        case .success(let v):
            observe(released, version: v, at: clock.now)
            logger.info("released the lease", metadata: ["lease": .string(lock.description)])
        case .failure(let error):
            logger.warning("could not release the lease", metadata: ["lease": .string(lock.description), "error": .string(error.message)])
        }
    }
}
