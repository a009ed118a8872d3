import ControllerRuntime
import Foundation
import Synchronization
import Testing
@testable import KubeletCore
@testable import Wire

/// The prober worker's schedule and thresholds on a FakeClock: no test sleeps for a period.
@Suite(.serialized) struct ProbeWorkerTests {
    /// What a worker reported, in order: "result true " / "result false why" / "failed why".
    final class Reports: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func add(_ line: String) { lines.withLock { $0.append(line) } }
    }

    struct Setup {
        let clock = FakeClock()
        let runtime: ScriptedRuntime
        let reports = Reports()
        let worker: ProbeWorker

        init(_ kind: ProbeKind, _ probeJSON: String, script: [ScriptedRuntime.Step]) throws {
            runtime = ScriptedRuntime(script)
            let probe = try JSONDecoder().decode(Probe.self, from: Data(probeJSON.utf8))
            let reports = self.reports
            worker = ProbeWorker(kind: kind, probe: probe, containerID: "c1", podIP: "127.0.0.1", ports: [],
                                 runner: ProbeRunner(runtime: runtime), clock: clock,
                                 onAttemptFailed: { _, message in reports.add("failed \(message)") },
                                 onResult: { kind, healthy, message in reports.add("\(kind.rawValue) \(healthy) \(message)") })
        }

        /// Waits (briefly, in real time) until the worker made `attempts` attempts and sleeps again.
        func settle(attempts: Int, sleeping: Bool = true) async throws {
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline {
                if await worker.attempts == attempts && clock.sleeperCount == (sleeping ? 1 : 0) { return }
                try await Task.sleep(for: .milliseconds(2))
            }
            Issue.record("worker did not settle at \(attempts) attempts (has \(await worker.attempts), sleepers \(clock.sleeperCount))")
        }

        func advance(_ seconds: Double, thenAttempts attempts: Int, sleeping: Bool = true) async throws {
            clock.advance(by: seconds)
            try await settle(attempts: attempts, sleeping: sleeping)
        }
    }

    @Test func readinessWaitsForTheInitialDelayThenFlipsAtTheThresholds() async throws {
        let s = try Setup(.readiness, #"{"exec":{"command":["check"]},"initialDelaySeconds":5,"periodSeconds":10}"#,
                          script: [.exit(0, ""), .exit(1, "down 1"), .exit(1, "down 2"), .exit(1, "down 3"), .exit(1, "down 4"), .exit(0, "")])
        await s.worker.start()
        try await s.settle(attempts: 0)
        try await s.advance(4.9, thenAttempts: 0)
        try await s.advance(0.1, thenAttempts: 1)
        #expect(s.reports.all == ["readiness true "])
        try await s.advance(10, thenAttempts: 2)
        try await s.advance(10, thenAttempts: 3)
        #expect(s.reports.all == ["readiness true ", "failed down 1", "failed down 2"])
        try await s.advance(10, thenAttempts: 4)
        try await s.advance(10, thenAttempts: 5)
        try await s.advance(9, thenAttempts: 5)
        try await s.advance(1, thenAttempts: 6)
        #expect(s.reports.all == ["readiness true ", "failed down 1", "failed down 2", "failed down 3", "readiness false down 3",
                                  "failed down 4", "readiness true "])
        await s.worker.stop()
        #expect(s.clock.sleeperCount == 0)
    }

    @Test func successThresholdNeedsThatManySuccessesInARow() async throws {
        let s = try Setup(.readiness, #"{"exec":{"command":["check"]},"periodSeconds":3,"successThreshold":2}"#,
                          script: [.exit(0, ""), .exit(1, "no"), .exit(0, ""), .exit(0, "")])
        await s.worker.start()
        try await s.advance(0, thenAttempts: 1)
        try await s.advance(3, thenAttempts: 2)
        try await s.advance(3, thenAttempts: 3)
        #expect(s.reports.all == ["failed no"])
        try await s.advance(3, thenAttempts: 4)
        #expect(s.reports.all == ["failed no", "readiness true "])
        await s.worker.stop()
    }

    @Test func livenessReportsHealthyFirstThenStopsAfterFailing() async throws {
        let s = try Setup(.liveness, #"{"exec":{"command":["check"]},"failureThreshold":2}"#,
                          script: [.exit(0, ""), .exit(7, "bad"), .exit(7, "bad")])
        await s.worker.start()
        try await s.advance(0, thenAttempts: 1)
        try await s.advance(10, thenAttempts: 2)
        try await s.advance(10, thenAttempts: 3, sleeping: false)
        #expect(s.reports.all == ["liveness true ", "failed bad", "failed bad", "liveness false bad"])
        s.clock.advance(by: 100)
        try await Task.sleep(for: .milliseconds(20))
        #expect(await s.worker.attempts == 3)
        #expect(s.runtime.execCalls == 3)
    }

    @Test func startupStopsOnceStartedAndDefaultsApply() async throws {
        let s = try Setup(.startup, #"{"exec":{"command":["check"]},"periodSeconds":0,"failureThreshold":0}"#,
                          script: [.exit(1, "a"), .exit(1, "b"), .exit(0, "")])
        await s.worker.start()
        try await s.advance(0, thenAttempts: 1)
        try await s.advance(10, thenAttempts: 2)   // period 0 means the default, 10 s
        try await s.advance(10, thenAttempts: 3, sleeping: false)
        // failureThreshold 0 means the default, 3: two failures did not flip it.
        #expect(s.reports.all == ["failed a", "failed b", "startup true "])
    }

    @Test func contractShapedCallsWithATrailingOnResult() async throws {
        let clock = FakeClock()
        let reports = Reports()
        let probe = try JSONDecoder().decode(Probe.self, from: Data(#"{"exec":{"command":["check"]}}"#.utf8))
        let worker = ProbeWorker(kind: .liveness, probe: probe, containerID: "c1", podIP: "127.0.0.1", ports: [],
                                 runner: ProbeRunner(runtime: ScriptedRuntime([.exit(0, "")])), clock: clock) { kind, healthy, message in
            reports.add("\(kind.rawValue) \(healthy) \(message)")
        }
        await worker.start()
        await worker.start()   // a second start does nothing
        let deadline = Date().addingTimeInterval(5)
        while await worker.attempts < 1 && Date() < deadline { try await Task.sleep(for: .milliseconds(2)) }
        await worker.stop()
        #expect(reports.all == ["liveness true "])
    }

    @Test func stopEndsProbingAndInitialValuesAreKubernetes() async throws {
        let s = try Setup(.readiness, #"{"exec":{"command":["check"]},"periodSeconds":1}"#, script: [.exit(0, "")])
        await s.worker.start()
        try await s.advance(0, thenAttempts: 1)
        await s.worker.stop()
        #expect(s.clock.sleeperCount == 0)
        s.clock.advance(by: 5)
        try await Task.sleep(for: .milliseconds(20))
        #expect(await s.worker.attempts == 1)
        #expect(ProbeKind.readiness.initiallyHealthy == false)
        #expect(ProbeKind.liveness.initiallyHealthy == true)
        #expect(ProbeKind.startup.initiallyHealthy == true)
        #expect(ProbeKind.liveness.title == "Liveness")
    }
}
