import ControllerRuntime
import Foundation
import Synchronization
import Testing
import Wire
@testable import apiserver

/// `LeaderElector` against an in-process apiserver, time moved by fake clocks (each
/// candidate has its own, as separate hosts would).
@Suite(.serialized) struct LeaderElectionTests {
    /// 2027-01-15T08:00:00Z.
    static let start = 1_800_000_000.0

    static func config() -> LeaderElectionConfig {
        var c = LeaderElectionConfig()
        c.jitterFactor = 0
        return c
    }

    /// Waits until `clock` has a sleeper (the elector finished its attempt and waits for the
    /// next), then moves it on by `seconds` and waits for the next attempt to finish.
    static func step(_ clock: FakeClock, _ seconds: Double = 2) async throws {
        try await waitForSleeper(clock)
        clock.advance(by: seconds)
        try await waitForSleeper(clock)
    }

    static func waitForSleeper(_ clock: FakeClock) async throws {
        let deadline = Date().addingTimeInterval(10)
        while clock.sleeperCount == 0 {
            guard Date() < deadline else { throw LeaseTestError("no sleeper on the clock within 10s") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// A candidate running in a task, with counters of its terms.
    final class Candidate: Sendable {
        let elector: LeaderElector
        let clock: FakeClock
        let started = Mutex(0)
        let stopped = Mutex(0)
        let task: Mutex<Task<Void, Never>?> = Mutex(nil)

        init(_ lock: any LeaderLock, _ identity: String, clock: FakeClock, release: Bool = true,
             lead: @escaping @Sendable () async -> Void = {}) {
            var c = LeaderElectionTests.config()
            c.releaseOnCancel = release
            self.clock = clock
            elector = LeaderElector(lock: lock, identity: identity, config: c, clock: clock)
            let e = elector
            task.withLock { [self] t in
                t = Task { [self] in
                    await e.run(onStartedLeading: { [self] in
                        self.started.withLock { $0 += 1 }
                        await lead()
                        try? await Task.sleep(for: .seconds(3600))
                    }, onStoppedLeading: { [self] in self.stopped.withLock { $0 += 1 } })
                }
            }
        }

        var terms: (started: Int, stopped: Int) { (started.withLock { $0 }, stopped.withLock { $0 }) }

        func stop() async {
            let t = task.withLock { $0 }
            t?.cancel()
            await t?.value
        }
    }

    static func lease(_ s: InProcessServer, _ name: String = "kube-controller-manager") async throws -> JSON {
        try await s.client.get(.leases, namespace: "kube-system", name: name)
    }

    static func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(10)
        while try await !condition() {
            guard Date() < deadline else { throw LeaseTestError("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func acquiresByCreatingTheLeaseAndRenewsEveryRetryPeriod() async throws {
        let s = try await InProcessServer.start()
        let clock = FakeClock(now: Self.start)
        let a = Candidate(LeaseLock(client: s.client, namespace: "kube-system", name: "kube-controller-manager"), "host-a_1", clock: clock)
        try await Self.waitUntil("a leads") { a.elector.isLeader }
        #expect(a.terms.started == 1)
        let first = try await Self.lease(s)
        #expect(first["spec"] == ["holderIdentity": "host-a_1", "leaseDurationSeconds": 15, "acquireTime": "2027-01-15T08:00:00.000000Z",
                                  "renewTime": "2027-01-15T08:00:00.000000Z", "leaseTransitions": 0])
        try await Self.step(clock)
        let renewed = try await Self.lease(s)
        #expect(renewed["spec"]["renewTime"] == "2027-01-15T08:00:02.000000Z")
        #expect(renewed["spec"]["acquireTime"] == "2027-01-15T08:00:00.000000Z")
        #expect(renewed["spec"]["leaseTransitions"] == 0)
        #expect(a.elector.isLeader && a.terms == (1, 0))
        await a.stop()
        await s.stop()
    }

    /// A second candidate waits while the holder renews, and after the holder dies takes
    /// over only once it has itself seen the record unchanged for the lease duration.
    @Test func secondCandidateTakesOverOnlyAfterTheLeaseDurationItObserved() async throws {
        let s = try await InProcessServer.start()
        let lock = { LeaseLock(client: s.client, namespace: "kube-system", name: "kube-controller-manager") }
        let clockA = FakeClock(now: Self.start), clockB = FakeClock(now: Self.start + 1000)
        let a = Candidate(lock(), "host-a_1", clock: clockA, release: false)
        try await Self.waitUntil("a leads") { a.elector.isLeader }
        let b = Candidate(lock(), "host-b_2", clock: clockB)
        // While A renews, B never leads, however long it waits.
        for _ in 0..<10 {
            try await Self.step(clockA)
            try await Self.step(clockB)
            #expect(!b.elector.isLeader && b.elector.observedHolder == "host-a_1")
        }
        // A dies without releasing (kill -9): B saw the last change at its last attempt.
        await a.stop()
        #expect(try await Self.lease(s)["spec"]["holderIdentity"] == "host-a_1")
        for _ in 0..<7 { try await Self.step(clockB) }
        #expect(!b.elector.isLeader, "14s after the last change the lease is still A's")
        try await Self.step(clockB)
        try await Self.waitUntil("b leads") { b.elector.isLeader }
        let taken = try await Self.lease(s)
        #expect(taken["spec"] == ["holderIdentity": "host-b_2", "leaseDurationSeconds": 15, "acquireTime": "2027-01-15T08:17:16.000000Z",
                                  "renewTime": "2027-01-15T08:17:16.000000Z", "leaseTransitions": 1])
        await b.stop()
        await s.stop()
    }

    /// Expiry is judged by when the candidate saw the record change, never by renewTime: a
    /// holder whose clock is far behind (renewTime in 2000) is alive while it keeps renewing.
    @Test func aBackdatedRenewTimeDoesNotExpireAHolderThatKeepsRenewing() async throws {
        let s = try await InProcessServer.start()
        var held: JSON = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "kube-scheduler", "namespace": "kube-system"],
                          "spec": ["holderIdentity": "skewed_9", "leaseDurationSeconds": 15, "acquireTime": "2000-01-01T00:00:00.000000Z",
                                   "renewTime": "2000-01-01T00:00:00.000000Z", "leaseTransitions": 4]]
        held = try await s.client.create(.leases, namespace: "kube-system", held)
        let clock = FakeClock(now: Self.start)
        let b = Candidate(LeaseLock(client: s.client, namespace: "kube-system", name: "kube-scheduler"), "host-b_2", clock: clock)
        for i in 1...15 {
            held[path: ["spec", "renewTime"]] = .string(String(format: "2000-01-01T00:00:%02d.000000Z", i))
            held = try await s.client.update(.leases, held)
            try await Self.step(clock)
            #expect(!b.elector.isLeader, "renewal \(i): the holder is alive")
        }
        // The holder stops renewing: B waits the full 15 s from the last change it saw.
        for _ in 0..<7 { try await Self.step(clock) }
        #expect(!b.elector.isLeader)
        try await Self.step(clock)
        try await Self.waitUntil("b leads") { b.elector.isLeader }
        let taken = try await Self.lease(s, "kube-scheduler")
        #expect(taken["spec"]["holderIdentity"] == "host-b_2" && taken["spec"]["leaseTransitions"] == 5)
        #expect(taken["spec"]["acquireTime"] == "2027-01-15T08:00:46.000000Z")
        await b.stop()
        await s.stop()
    }

    /// A leader whose renewals fail stops its loops at the renew deadline (its informer
    /// handlers removed with them), then campaigns again and leads once the API answers.
    @Test func aLeaderThatCannotRenewStopsItsLoopsAndCampaignsAgain() async throws {
        let s = try await InProcessServer.start()
        let factory = SharedInformerFactory(client: s.client)
        factory.start()
        defer { factory.shutDown() }
        let configMaps = factory.informer(.configMaps)
        let lock = PartitionableLock(LeaseLock(client: s.client, namespace: "kube-system", name: "kube-controller-manager"))
        let clock = FakeClock(now: Self.start)
        let a = Candidate(lock, "host-a_1", clock: clock) { configMaps.addHandler { _ in } }
        try await Self.waitUntil("a leads with its handler") { a.elector.isLeader && configMaps.handlerCount == 1 }
        lock.partitioned.withLock { $0 = true }
        for _ in 0..<4 { try await Self.step(clock) }
        #expect(a.elector.isLeader && a.terms == (1, 0), "8s without a renewal: still within the renew deadline")
        try await Self.step(clock)
        try await Self.waitUntil("loops stopped") { a.terms == (1, 1) }
        #expect(!a.elector.isLeader && configMaps.handlerCount == 0)
        lock.partitioned.withLock { $0 = false }
        try await Self.step(clock)
        try await Self.waitUntil("a leads again") { a.elector.isLeader && a.terms == (2, 1) && configMaps.handlerCount == 1 }
        // Still its own lease: the first acquisition and no transition.
        let l = try await Self.lease(s)
        #expect(l["spec"]["acquireTime"] == "2027-01-15T08:00:00.000000Z" && l["spec"]["leaseTransitions"] == 0)
        #expect(l["spec"]["renewTime"] == "2027-01-15T08:00:12.000000Z")
        await a.stop()
        await s.stop()
    }

    /// A leader whose API hangs stops its loops at the renew deadline, not a request timeout
    /// later: each attempt gets only the time left (the hung lock honours its timeout on the
    /// fake clock, as the client does on the wall clock).
    @Test func aHungRenewalStopsTheLoopsAtTheRenewDeadline() async throws {
        let s = try await InProcessServer.start()
        let clock = FakeClock(now: Self.start)
        let lock = ScriptedLock(LeaseLock(client: s.client, namespace: "kube-system", name: "kube-controller-manager"), clock: clock)
        let a = Candidate(lock, "host-a_1", clock: clock, release: false)
        try await Self.waitUntil("a leads") { a.elector.isLeader }
        lock.hung.withLock { $0 = true }
        // The renewal at 2 s hangs in its GET.
        try await Self.step(clock)
        #expect(lock.hungTimeouts.withLock { $0 } == [8])
        clock.advance(by: 7)
        try await Task.sleep(for: .milliseconds(100))
        #expect(a.elector.isLeader && a.terms == (1, 0), "9s: still within the renew deadline")
        clock.advance(by: 1)
        try await Self.waitUntil("loops stopped at 10s") { a.terms == (1, 1) }
        #expect(!a.elector.isLeader)
        await a.stop()
        await s.stop()
    }

    /// The same on the wall clock through real clients: the Lease's apiserver becomes one
    /// that accepts connections and never answers (a listening socket nobody accepts on). The
    /// client's 5 s connect wait must not keep the loops past the 1 s renew deadline.
    @Test func loopsStopByTheRenewDeadlineWhenTheAPIServerHangs() async throws {
        let s = try await InProcessServer.start()
        let silent = try Socket.listen(on: HostPort(host: "127.0.0.1", port: 0))
        defer { close(silent) }
        let hungClient = Client(config: ClientConfig(server: Socket.localAddress(silent)!, token: "t", clientName: "test", connectTimeoutMs: 5000))
        defer { hungClient.close() }
        let lock = RedirectableLock(LeaseLock(client: s.client, namespace: "kube-system", name: "kube-controller-manager"),
                                    LeaseLock(client: hungClient, namespace: "kube-system", name: "kube-controller-manager"))
        var c = Self.config()
        (c.leaseDuration, c.renewDeadline, c.retryPeriod, c.releaseOnCancel) = (1.5, 1, 0.2, false)
        let elector = LeaderElector(lock: lock, identity: "host-a_1", config: c)
        let stoppedAt = Mutex<Date?>(nil)
        let run = Task {
            await elector.run(onStartedLeading: { try? await Task.sleep(for: .seconds(3600)) },
                              onStoppedLeading: { stoppedAt.withLock { $0 = $0 ?? Date() } })
        }
        try await Self.waitUntil("a leads") { elector.isLeader }
        try await Task.sleep(for: .milliseconds(500))
        let hungAt = Date()
        lock.hung.withLock { $0 = true }
        try await Self.waitUntil("loops stopped") { stoppedAt.withLock { $0 } != nil }
        let after = try #require(stoppedAt.withLock { $0 }).timeIntervalSince(hungAt)
        #expect(after < 1.5, "loops stopped \(after)s after the apiserver hung; the renew deadline is 1 s after the last renewal")
        run.cancel()
        await run.value
        await s.stop()
    }

    /// A candidate times the holder's lease from when its GET returned: a GET that took 14 s
    /// does not let it take over 2 s later.
    @Test func aSlowReadDoesNotMakeTheLeaseLookOlder() async throws {
        let s = try await InProcessServer.start()
        let held: JSON = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "kube-scheduler", "namespace": "kube-system"],
                          "spec": ["holderIdentity": "other_9", "leaseDurationSeconds": 15, "acquireTime": "2027-01-15T08:00:00.000000Z",
                                   "renewTime": "2027-01-15T08:00:00.000000Z", "leaseTransitions": 0]]
        _ = try await s.client.create(.leases, namespace: "kube-system", held)
        let clock = FakeClock(now: Self.start)
        let lock = ScriptedLock(LeaseLock(client: s.client, namespace: "kube-system", name: "kube-scheduler"), clock: clock)
        lock.slowGets.withLock { $0 = [14] }
        let b = Candidate(lock, "host-b_2", clock: clock)
        // First attempt: the GET returns at 14 s; the next attempts at 16 s ... 28 s see it unchanged.
        try await Self.waitForSleeper(clock)
        #expect(clock.now == Self.start + 14)
        for _ in 0..<7 {
            try await Self.step(clock)
            #expect(!b.elector.isLeader, "\(clock.now - Self.start)s: seen unchanged for less than 15s")
        }
        try await Self.step(clock)
        try await Self.waitUntil("b leads") { b.elector.isLeader }
        let taken = try await Self.lease(s, "kube-scheduler")
        #expect(taken["spec"]["acquireTime"] == "2027-01-15T08:00:30.000000Z" && taken["spec"]["leaseTransitions"] == 1)
        await b.stop()
        await s.stop()
    }

    /// A clean stop empties holderIdentity, so the next candidate leads at its first attempt.
    @Test func aCleanStopReleasesTheLeaseForAnImmediateTakeover() async throws {
        let s = try await InProcessServer.start()
        let lock = { LeaseLock(client: s.client, namespace: "kube-system", name: "kube-scheduler") }
        let a = Candidate(lock(), "host-a_1", clock: FakeClock(now: Self.start))
        try await Self.waitUntil("a leads") { a.elector.isLeader }
        await a.stop()
        #expect(a.terms == (1, 1))
        #expect(try await Self.lease(s, "kube-scheduler")["spec"] == ["holderIdentity": "", "leaseDurationSeconds": 1,
                                                                        "acquireTime": "2027-01-15T08:00:00.000000Z",
                                                                        "renewTime": "2027-01-15T08:00:00.000000Z", "leaseTransitions": 0])
        let b = Candidate(lock(), "host-b_2", clock: FakeClock(now: Self.start + 60))
        try await Self.waitUntil("b leads at once") { b.elector.isLeader }
        let l = try await Self.lease(s, "kube-scheduler")
        #expect(l["spec"]["holderIdentity"] == "host-b_2" && l["spec"]["leaseTransitions"] == 1)
        #expect(l["spec"]["acquireTime"] == "2027-01-15T08:01:00.000000Z")
        await b.stop()
        await s.stop()
    }

    @Test func processIdentityIsTheHostnameAndAUUID() throws {
        let id = LeaderElectionConfig.processIdentity()
        let host = try #require(try? String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.hasPrefix(host + "_"))
        #expect(id.dropFirst(host.count + 1).count == 36)
        #expect(LeaderElectionConfig.processIdentity() != id)
    }
}
