import ControllerRuntime
import Synchronization
import Testing

@Suite struct WorkQueueTests {
    @Test func aKeyIsNeverProcessedByTwoWorkersAtOnce() async {
        let q = WorkQueue<String>()
        let active = Mutex<Set<String>>([])
        let overlaps = Mutex(0)
        let processed = Mutex<[String: Int]>([:])
        let runner = Task {
            await q.run(workers: 4) { key in
                let clash = active.withLock { !$0.insert(key).inserted }
                if clash { overlaps.withLock { $0 += 1 } }
                try? await Task.sleep(for: .milliseconds(2))
                active.withLock { _ = $0.remove(key) }
                processed.withLock { $0[key, default: 0] += 1 }
            }
        }
        for round in 0..<50 {
            for k in ["a", "b", "c"] { q.add(k) }
            if round % 10 == 0 { try? await Task.sleep(for: .milliseconds(3)) }
        }
        #expect(await eventually { q.count == 0 && active.withLock { $0.isEmpty } })
        q.shutDown()
        await runner.value
        #expect(overlaps.withLock { $0 } == 0)
        #expect(Set(processed.withLock { $0.keys }) == ["a", "b", "c"])
    }

    @Test func aKeyAddedWhileProcessingIsProcessedAgainAfterDoneExactlyOnce() async {
        let q = WorkQueue<String>()
        q.add("k")
        let first = await q.get()
        #expect(first == "k")
        q.add("k")
        q.add("k")
        // Not handed out while processing, even to another getter.
        #expect(q.count == 0)
        let second = Task { await q.get() }
        try? await Task.sleep(for: .milliseconds(20))
        q.done("k")
        #expect(await second.value == "k")
        q.done("k")
        #expect(q.count == 0)
        q.shutDown()
        #expect(await q.get() == nil)
    }

    @Test func duplicatesWaitingAreQueuedOnce() async {
        let q = WorkQueue<Int>()
        for _ in 0..<3 { q.add(1) }
        q.add(2)
        #expect(q.count == 2)
    }

    @Test func backOffDoublesFromFiveMillisecondsAndForgetResets() async {
        let clock = FakeClock()
        let q = WorkQueue<String>(clock: clock)
        #expect(q.backoff(failures: 0) == 0.005)
        #expect(q.backoff(failures: 1) == 0.010)
        #expect(q.backoff(failures: 2) == 0.020)
        #expect(q.backoff(failures: 30) == 1000)
        q.addRateLimited("k")
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: 0.004)
        #expect(q.count == 0)
        clock.advance(by: 0.001)
        #expect(await eventually { q.count == 1 })
        #expect(await q.get() == "k")
        q.done("k")
        q.addRateLimited("k")
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: 0.009)
        try? await Task.sleep(for: .milliseconds(20))
        #expect(q.count == 0)
        clock.advance(by: 0.001)
        #expect(await eventually { q.count == 1 })
        #expect(q.requeues("k") == 2)
        q.forget("k")
        #expect(q.requeues("k") == 0)
        _ = await q.get()
        q.done("k")
        q.addRateLimited("k")
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: 0.005)
        #expect(await eventually { q.count == 1 })
        q.shutDown()
    }

    @Test func addAfterFiresAtTheFakeTimeAndNotBefore() async {
        let clock = FakeClock()
        let q = WorkQueue<String>(clock: clock)
        q.add("later", after: 10)
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: 9.9)
        try? await Task.sleep(for: .milliseconds(20))
        #expect(q.count == 0)
        clock.advance(by: 0.1)
        #expect(await eventually { q.count == 1 })
        q.shutDown()
    }

    @Test func addAfterDoesNotFireAfterShutdown() async {
        let clock = FakeClock()
        let q = WorkQueue<String>(clock: clock)
        q.add("later", after: 1)
        #expect(await eventually { clock.sleeperCount == 1 })
        q.shutDown()
        // The delayed add's sleep was cancelled, so nothing is left waiting on the clock.
        #expect(await eventually { clock.sleeperCount == 0 })
        clock.advance(by: 5)
        try? await Task.sleep(for: .milliseconds(20))
        #expect(q.count == 0)
        q.add("late", after: 1)
        #expect(clock.sleeperCount == 0)
        #expect(await q.get() == nil)
    }

    @Test func shutDownWakesEveryBlockedGetter() async {
        let q = WorkQueue<String>()
        let getters = (0..<3).map { _ in Task { await q.get() } }
        try? await Task.sleep(for: .milliseconds(20))
        q.shutDown()
        for g in getters { #expect(await g.value == nil) }
    }
}

@Suite struct DelayedAddTests {
    @Test func manyDelayedKeysShareOneTimerAndFireInDeadlineOrder() async {
        let clock = FakeClock()
        let q = WorkQueue<String>(clock: clock)
        q.add("c", after: 3)
        q.add("a", after: 1)
        q.add("b", after: 2)
        // The same key added again later keeps its earlier time.
        q.add("a", after: 10)
        #expect(q.delayedCount == 3)
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: 1)
        #expect(await eventually { q.count == 1 })
        #expect(await q.get() == "a")
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: 1.5)
        #expect(await eventually { q.count == 1 && q.delayedCount == 1 })
        #expect(await q.get() == "b")
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: 0.5)
        #expect(await q.get() == "c")
        #expect(q.delayedCount == 0)
        q.shutDown()
    }
}

/// A cancelled run (a lost leadership) hands out no further key, not even queued ones.
@Suite struct WorkQueueCancellationTests {
    @Test func cancelledRunTakesNoQueuedKey() async {
        let q = WorkQueue<String>()
        let processed = Mutex<[String]>([])
        let release = Mutex(false)
        q.add("a")
        let runner = Task {
            await q.run(workers: 1) { key in
                processed.withLock { $0.append(key) }
                while !release.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(1)) }
            }
        }
        #expect(await eventually { processed.withLock { $0 } == ["a"] })
        q.add("b")
        q.add("c")
        runner.cancel()
        release.withLock { $0 = true }
        await runner.value
        #expect(processed.withLock { $0 } == ["a"])
    }
}

/// Delays from odd values: NaN is now; a delay of Int64.max seconds neither traps the
/// system clock's sleep nor fires.
@Suite struct WorkQueueOddDelayTests {
    @Test func nanIsNowAndHugeDelaysNeitherTrapNorFire() async {
        let q = WorkQueue<String>(clock: SystemClock())
        q.add("nan", after: .nan)
        #expect(await q.get() == "nan")
        q.done("nan")
        q.add("far", after: 9.3e18)
        q.add("inf", after: .infinity)
        try? await Task.sleep(for: .milliseconds(50))
        #expect(q.count == 0)
        q.shutDown()
    }

    @Test func systemClockSleepsTowardAFarDeadlineUntilCancelled() async {
        let sleeper = Task { try await SystemClock().sleep(until: 1e300) }
        try? await Task.sleep(for: .milliseconds(20))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }
}
