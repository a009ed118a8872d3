import Foundation
import Testing
import Wire
@testable import KubeletCore

/// Termination paths of the pod worker (real host runtime): a kubelet restarted during a
/// graceful deletion, a postStart hook that never returns, finished pods' cleanup.
@Suite(.serialized) struct PodWorkerTerminationTests {
    /// A fresh worker (a restarted kubelet) for a pod already being deleted adopts its
    /// container and gives it preStop, then SIGTERM, within what is left of the grace period.
    @Test func aWorkerResumingADeletionRunsPreStopThenSIGTERMWithTheRemainingGrace() async throws {
        try await PodWorkerFixture.run { f in
            let file = f.runtime.root + "/order"
            var pod = try f.pod("""
            {"metadata":{"name":"resumed","namespace":"default","uid":"u-resumed"},"spec":{"containers":[{"name":"c",
             "command":["sh","-c","trap 'echo term >> \(file)' TERM; while :; do sleep 0.05; done"],
             "lifecycle":{"preStop":{"exec":{"command":["sh","-c","echo prestop >> \(file)"]}}}}]}}
            """)
            let first = PodWorker(pod: pod, environment: f.environment)
            await first.start()
            pod.status = try await f.waitForStatus("Running") { $0.phase == "Running" }
            await first.stop()
            await first.waitUntilFinished()
            let pid = try #require(try await f.runtime.runtime.listContainers(ContainerFilter()).first?.pid)
            // Deleted with 30 s of grace while no kubelet ran; 3 s of it are left.
            pod.metadata.deletionTimestamp = Timestamp.format(Timestamp.nowSeconds() + 3)
            pod.metadata.deletionGracePeriodSeconds = 30
            let began = Date()
            let second = PodWorker(pod: pod, environment: f.environment)
            await second.start()
            while f.api.state.withLock({ $0.finalized }).isEmpty, Date().timeIntervalSince(began) < 15 { try await Task.sleep(for: .milliseconds(20)) }
            let took = Date().timeIntervalSince(began)
            #expect(f.api.state.withLock { $0.finalized } == ["resumed"])
            #expect(try String(contentsOfFile: file, encoding: .utf8) == "prestop\nterm\n")
            #expect(took >= 1.5 && took < 8)
            #expect(!HostRuntimeFixture.processExists(pid))
            #expect(f.api.events.contains("Killing: Stopping container c"))
            await second.podRemoved()
            await second.waitUntilFinished()
        }
    }

    /// A postStart hook that never returns does not hold up the pod's deletion: the
    /// container (and the hook's exec with it) is killed within the grace period.
    @Test func aPostStartThatNeverReturnsDoesNotBlockDeletion() async throws {
        try await PodWorkerFixture.run { f in
            var pod = try f.pod("""
            {"metadata":{"name":"stuck","namespace":"default","uid":"u-stuck"},"spec":{"containers":[{"name":"c","command":["sleep","300"],
             "lifecycle":{"postStart":{"exec":{"command":["sleep","3601"]}}}}]}}
            """)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            try await f.waitForStatus("postStart running") { $0.first?.state?.waiting?.reason == "ContainerCreating" && $0.first?.containerID != nil }
            let pid = try #require(try await f.runtime.runtime.listContainers(ContainerFilter()).first?.pid)
            try await Task.sleep(for: .milliseconds(200))
            #expect(Self.processes(commandLine: "sleep\03601\0").count == 1)
            pod.metadata.deletionTimestamp = Timestamp.now()
            pod.metadata.deletionGracePeriodSeconds = 2
            let began = Date()
            await w.update(pod)
            while f.api.state.withLock({ $0.finalized }).isEmpty, Date().timeIntervalSince(began) < 15 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(f.api.state.withLock { $0.finalized } == ["stuck"])
            #expect(Date().timeIntervalSince(began) < 5)
            #expect(!HostRuntimeFixture.processExists(pid))
            if HostRuntimeFixture.isRoot { #expect(Self.processes(commandLine: "sleep\03601\0").isEmpty) }
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    /// Live processes whose /proc/<pid>/cmdline is exactly `commandLine`.
    static func processes(commandLine: String) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self) == commandLine && HostRuntimeFixture.processExists(pid)
        }
    }

    @Test func theRemainingGraceRunsToTheDeletionTimestampWithinTwoSecondsAndTheGracePeriod() {
        let now = Timestamp.parse("2026-01-01T00:00:00Z")!
        #expect(PodWorker.remainingGrace(deletionTimestamp: "2026-01-01T00:00:10Z", full: 30, now: now) == 10)
        #expect(PodWorker.remainingGrace(deletionTimestamp: "2025-12-31T23:59:00Z", full: 30, now: now) == 2)
        #expect(PodWorker.remainingGrace(deletionTimestamp: "2025-12-31T23:59:00Z", full: 1, now: now) == 1)
        #expect(PodWorker.remainingGrace(deletionTimestamp: "2026-01-01T00:01:00Z", full: 30, now: now) == 30)
        #expect(PodWorker.remainingGrace(deletionTimestamp: nil, full: 30, now: now) == 30)
    }
}

/// Pod conditions the kubelet does not own survive its status writes.
@Suite struct PodWorkerConditionTests {
    @Test func conditionsOfOtherTypesFromTheServerAreKeptBeforeTheKubeletsOwn() async throws {
        try await PodWorkerFixture.run { f in
            var pod = try f.pod("""
            {"metadata":{"name":"cond","namespace":"default","uid":"u-cond"},"spec":{"containers":[{"name":"c","command":["true"]}]},
             "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"},
              {"type":"example.com/gate","status":"False","lastTransitionTime":"2026-01-01T00:00:01Z"}]}}
            """)
            let w = PodWorker(pod: pod, environment: f.environment)
            #expect(await w.currentStatus().conditions?.map { "\($0.type)=\($0.status)" } == [
                "example.com/gate=False", "Initialized=True", "Ready=False", "ContainersReady=False", "PodScheduled=True"])
            // The taint eviction controller marks the pod; the kubelet's next status keeps it.
            pod.status?.conditions?.append(PodCondition(type: "DisruptionTarget", status: "True", lastTransitionTime: "2026-01-01T00:00:02Z",
                                                        reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint"))
            await w.update(pod)
            let conditions = try #require(await w.currentStatus().conditions)
            #expect(conditions.map { "\($0.type)=\($0.status)" } == [
                "example.com/gate=False", "DisruptionTarget=True", "Initialized=True", "Ready=False", "ContainersReady=False", "PodScheduled=True"])
            #expect(conditions[1] == PodCondition(type: "DisruptionTarget", status: "True", lastTransitionTime: "2026-01-01T00:00:02Z",
                                                  reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint"))
            #expect(conditions.last == PodCondition(type: "PodScheduled", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z"))
        }
    }
}
