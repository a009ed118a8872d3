import Foundation
import Testing
import Wire
@testable import KubeletCore

/// Lifecycle hooks, probes and volumes as the pod worker drives them (real host runtime,
/// fake clock for probe schedules).
@Suite(.serialized) struct PodWorkerHookProbeTests {
    static let marker = FileManager.default.temporaryDirectory.path + "/poststart-\(UUID().uuidString)"

    @Test func postStartRunsBeforeTheContainerCountsAsRunning() async throws {
        let marker = Self.marker
        defer { try? FileManager.default.removeItem(atPath: marker) }
        try await PodWorkerFixture.run(observe: { s in
            "\(s.containerStatuses?.first?.state?.running != nil ? "running" : "not running"), file \(FileManager.default.fileExists(atPath: marker) ? "present" : "absent")"
        }) { f in
            let pod = try f.pod("""
            {"metadata":{"name":"hooked","namespace":"default","uid":"u-hook"},"spec":{"containers":[{"name":"c","command":["sleep","300"],
             "lifecycle":{"postStart":{"exec":{"command":["sh","-c","sleep 0.3; echo hook > \(marker)"]}}}}]}}
            """)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            try await f.waitForStatus("Running") { $0.phase == "Running" }
            let seen = f.api.state.withLock { $0.observations }
            #expect(seen.first == "not running, file absent")
            #expect(seen.first { $0.hasPrefix("running") } == "running, file present")
            #expect(!seen.contains("running, file absent"))
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    @Test func aFailedPostStartKillsTheContainerWhichRestarts() async throws {
        try await PodWorkerFixture.run { f in
            let pod = try f.pod("""
            {"metadata":{"name":"badhook","namespace":"default","uid":"u-bad"},"spec":{"terminationGracePeriodSeconds":1,"containers":[{"name":"c","command":["sleep","300"],
             "lifecycle":{"postStart":{"exec":{"command":["sh","-c","echo nope; exit 3"]}}}}]}}
            """)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            try await f.waitForStatus("restarted") { $0.first?.restartCount == 1 }
            let events = f.api.events
            #expect(events.contains(#"FailedPostStartHook: Exec lifecycle hook ([sh -c echo nope; exit 3]) for Container "c" in Pod "badhook_default(u-bad)" failed - error: command 'sh -c echo nope; exit 3' exited with 3: , message: "nope\n""#))
            #expect(events.contains("Killing: FailedPostStartHook"))
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    @Test func preStopRunsBeforeSIGTERMOnGracefulDeletion() async throws {
        try await PodWorkerFixture.run { f in
            let file = f.runtime.root + "/order"
            var pod = try f.pod("""
            {"metadata":{"name":"stopper","namespace":"default","uid":"u-stop"},"spec":{"containers":[{"name":"c",
             "command":["sh","-c","trap 'echo term >> \(file); exit 0' TERM; while :; do sleep 0.05; done"],
             "lifecycle":{"preStop":{"exec":{"command":["sh","-c","echo prestop >> \(file)"]}}}}]}}
            """)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            try await f.waitForStatus("Running") { $0.phase == "Running" }
            pod.metadata.deletionTimestamp = Timestamp.now()
            pod.metadata.deletionGracePeriodSeconds = 10
            await w.update(pod)
            let deadline = Date().addingTimeInterval(10)
            while f.api.state.withLock({ $0.finalized }).isEmpty, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try String(contentsOfFile: file, encoding: .utf8) == "prestop\nterm\n")
            #expect(f.api.events.contains("Killing: Stopping container c"))
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    @Test func aFailingLivenessProbeRestartsTheContainer() async throws {
        try await PodWorkerFixture.run { f in
            let pod = try f.pod("""
            {"metadata":{"name":"sick","namespace":"default","uid":"u-sick"},"spec":{"terminationGracePeriodSeconds":1,"containers":[{"name":"c","command":["sleep","300"],
             "livenessProbe":{"exec":{"command":["sh","-c","echo unwell; exit 1"]},"failureThreshold":1,"periodSeconds":5}}]}}
            """)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            try await f.waitForStatus("restarted") { $0.first?.restartCount == 1 }
            let events = f.api.events
            #expect(events.contains("Unhealthy: Liveness probe failed: unwell\n"))
            #expect(events.contains("Killing: Container c failed liveness probe, will be restarted"))
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    @Test func readinessDrivesReadyAndStartupGatesIt() async throws {
        try await PodWorkerFixture.run { f in
            let file = f.runtime.root + "/ready"
            let pod = try f.pod("""
            {"metadata":{"name":"ready","namespace":"default","uid":"u-ready"},"spec":{"containers":[{"name":"c","command":["sleep","300"],
             "startupProbe":{"exec":{"command":["true"]},"periodSeconds":1},
             "readinessProbe":{"exec":{"command":["test","-f","\(file)"]},"periodSeconds":1}}]}}
            """)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            let notReady = try await f.waitForStatus("started, not ready") { $0.first?.started == true && $0.phase == "Running" }
            #expect(notReady.first?.ready == false)
            #expect(notReady.conditions?.first { $0.type == "Ready" }.map { "\($0.status) \($0.reason ?? "") \($0.message ?? "")" }
                    == "False ContainersNotReady containers with unready status: [c]")
            // The first readiness attempt fails (an Unhealthy event) before the file exists.
            let deadline = Date().addingTimeInterval(10)
            while !f.api.events.contains(where: { $0.hasPrefix("Unhealthy: Readiness probe failed:") }), Date() < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(f.api.events.contains { $0.hasPrefix("Unhealthy: Readiness probe failed:") })
            _ = FileManager.default.createFile(atPath: file, contents: nil)
            // Probes run on the fake clock: a period passes.
            for _ in 0..<20 where f.api.last?.first?.ready != true {
                f.clock.advance(by: 1)
                try await Task.sleep(for: .milliseconds(100))
            }
            let ready = try await f.waitForStatus("ready") { $0.first?.ready == true }
            #expect(ready.conditions?.first { $0.type == "Ready" }?.status == "True")
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    @Test func volumesAreSetUpBeforeContainersAndExportedInTheEnvironment() async throws {
        try await PodWorkerFixture.run { f in
            f.objects.configMaps.withLock { $0["conf"] = ["greeting": "hi"] }
            let pod = try f.pod("""
            {"metadata":{"name":"vol","namespace":"default","uid":"u-vol"},"spec":{"restartPolicy":"Never",
             "volumes":[{"name":"data","emptyDir":{}},{"name":"conf","configMap":{"name":"conf"}}],
             "containers":[{"name":"c","command":["sh","-c","cat $SKIFF_VOLUME_CONF/greeting > $SKIFF_VOLUME_DATA/copy"],
               "volumeMounts":[{"name":"data","mountPath":"/data"},{"name":"conf","mountPath":"/etc/conf"}]}]}}
            """)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            try await f.waitForStatus("Succeeded") { $0.phase == "Succeeded" }
            #expect(try String(contentsOfFile: f.runtime.root + "/pods/u-vol/volumes/data/copy", encoding: .utf8) == "hi")
            await w.podRemoved()
            await w.waitUntilFinished()
            #expect(!FileManager.default.fileExists(atPath: f.runtime.root + "/pods/u-vol"))
        }
    }
}
