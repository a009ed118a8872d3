import ControllerRuntime
import Synchronization
import Wire
@testable import apiserver

/// Locks for LeaderElectionTests that fail, hang or slow down on demand.

struct LeaseTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A lock whose requests fail with 503 while `partitioned`, as if the apiserver were
/// unreachable.
final class PartitionableLock: LeaderLock {
    let inner: LeaseLock
    let partitioned = Mutex(false)
    init(_ inner: LeaseLock) { self.inner = inner }

    private func check() throws(Status) {
        if partitioned.withLock({ $0 }) { throw Status.unavailable("partitioned") }
    }
    var description: String { inner.description }
    func get(timeout: Double) async throws(Status) -> (record: LeaderElectionRecord, resourceVersion: String)? {
        try check()
        return try await inner.get(timeout: timeout)
    }
    func create(_ record: LeaderElectionRecord, timeout: Double) async throws(Status) -> String {
        try check()
        return try await inner.create(record, timeout: timeout)
    }
    func update(_ record: LeaderElectionRecord, resourceVersion: String, timeout: Double) async throws(Status) -> String {
        try check()
        return try await inner.update(record, resourceVersion: resourceVersion, timeout: timeout)
    }
    func recordEvent(_ message: String) {}
}

/// A lock over a real one whose GETs can be slow (each listed delay moves the fake clock on
/// while the GET is out) or hang (until the request's timeout passes on the fake clock; the
/// timeouts given are kept).
final class ScriptedLock: LeaderLock {
    let inner: LeaseLock
    let clock: FakeClock
    let hung = Mutex(false)
    let slowGets = Mutex<[Double]>([])
    let hungTimeouts = Mutex<[Double]>([])
    init(_ inner: LeaseLock, clock: FakeClock) {
        self.inner = inner
        self.clock = clock
    }

    private func hang(_ timeout: Double) async throws(Status) {
        guard hung.withLock({ $0 }) else { return }
        hungTimeouts.withLock { $0.append(timeout) }
        try? await clock.sleep(for: timeout)
        throw Status.timeout("the server did not answer within \(timeout)s")
    }
    var description: String { inner.description }
    func get(timeout: Double) async throws(Status) -> (record: LeaderElectionRecord, resourceVersion: String)? {
        try await hang(timeout)
        let got = try await inner.get(timeout: timeout)
        if let delay = slowGets.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { clock.advance(by: delay) }
        return got
    }
    func create(_ record: LeaderElectionRecord, timeout: Double) async throws(Status) -> String {
        try await hang(timeout)
        return try await inner.create(record, timeout: timeout)
    }
    func update(_ record: LeaderElectionRecord, resourceVersion: String, timeout: Double) async throws(Status) -> String {
        try await hang(timeout)
        return try await inner.update(record, resourceVersion: resourceVersion, timeout: timeout)
    }
    func recordEvent(_ message: String) {}
}

/// A lock that sends its requests to `hungLock` once `hung` is set.
final class RedirectableLock: LeaderLock {
    let live: LeaseLock, hungLock: LeaseLock
    let hung = Mutex(false)
    init(_ live: LeaseLock, _ hungLock: LeaseLock) {
        self.live = live
        self.hungLock = hungLock
    }
    private var current: LeaseLock { hung.withLock { $0 } ? hungLock : live }
    var description: String { live.description }
    func get(timeout: Double) async throws(Status) -> (record: LeaderElectionRecord, resourceVersion: String)? {
        try await current.get(timeout: timeout)
    }
    func create(_ record: LeaderElectionRecord, timeout: Double) async throws(Status) -> String {
        try await current.create(record, timeout: timeout)
    }
    func update(_ record: LeaderElectionRecord, resourceVersion: String, timeout: Double) async throws(Status) -> String {
        try await current.update(record, resourceVersion: resourceVersion, timeout: timeout)
    }
    func recordEvent(_ message: String) {}
}
