import Foundation
import Synchronization

/// Time as the controller runtime sees it: injectable, so tests of back-off, delayed adds
/// and resync advance a fake clock instead of sleeping.
public protocol RuntimeClock: Sendable {
    /// Seconds since some fixed origin.
    var now: Double { get }
    /// Returns at `deadline` (by this clock) or throws `CancellationError` when the task is
    /// cancelled first.
    func sleep(until deadline: Double) async throws
}

extension RuntimeClock {
    public func sleep(for seconds: Double) async throws { try await sleep(until: now + seconds) }
}

/// The wall clock.
public struct SystemClock: RuntimeClock {
    public init() {}
    public var now: Double { Date().timeIntervalSince1970 }
    /// Sleeps a day at most at a time: a deadline a client chose (a far-future time, a
    /// toleration of Int64.max seconds) must not overflow the nanosecond count.
    public func sleep(until deadline: Double) async throws {
        while true {
            let wait = deadline - now
            guard wait > 0 else { break }
            try await Task.sleep(for: .nanoseconds(Int64(min(wait, Self.longestSleep) * 1e9)))
        }
        try Task.checkCancellation()
    }

    static let longestSleep = 86_400.0
}

/// A clock that moves only when a test calls `advance`; sleepers whose deadline has been
/// reached are woken then.
public final class FakeClock: RuntimeClock {
    private struct Sleeper {
        let deadline: Double
        let wake: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var now: Double
        var sleepers: [Int: Sleeper] = [:]
        var next = 0
    }
    private let state: Mutex<State>

    public init(now: Double = 1_000_000) { state = Mutex(State(now: now)) }

    public var now: Double { state.withLock { $0.now } }
    /// Sleepers not yet woken (tests wait for a delayed add to be armed before advancing).
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func advance(by seconds: Double) {
        let due = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.now += seconds
            let ready = s.sleepers.filter { $0.value.deadline <= s.now }
            for k in ready.keys { s.sleepers[k] = nil }
            return ready.values.map(\.wake)
        }
        for c in due { c.resume() }
    }

    public func sleep(until deadline: Double) async throws {
        let ticket = state.withLock { s -> Int in s.next += 1; return s.next }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let immediate = state.withLock { s -> Bool in
                    if deadline <= s.now || Task.isCancelled { return true }
                    s.sleepers[ticket] = Sleeper(deadline: deadline, wake: c)
                    return false
                }
                if immediate { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: ticket) }?.wake.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}
