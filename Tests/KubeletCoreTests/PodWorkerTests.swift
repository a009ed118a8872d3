import Foundation
import Testing
import Wire
@testable import KubeletCore

/// Pod workers against the real `host` runtime, with a fake clock for back-off and deadlines.
@Suite(.serialized) struct PodWorkerTests {
    @Test func crashLoopBackOffWaitsTenThenTwentySecondsOnTheWorkersClock() async throws {
        try await PodWorkerFixture.run { f in
            let pod = try f.pod(#"{"metadata":{"name":"crash","namespace":"default","uid":"u-crash"},"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","command":["sh","-c","echo boom; exit 3"]}]}}"#)
            // A rotated file of the first attempt's log (the monitor rotates at 10 MiB).
            let dir = "\(f.runtime.root)/pods/default_crash_u-crash/c"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try "rotated\n".write(toFile: dir + "/0.log.1", atomically: false, encoding: .utf8)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            // The first restart is at once; the second waits 10 s.
            let s1 = try await f.waitForStatus("CrashLoopBackOff 10s") { $0.first?.state?.waiting?.reason == "CrashLoopBackOff" }
            #expect(s1.first?.restartCount == 1)
            #expect(s1.first?.state?.waiting?.message == "back-off 10s restarting failed container=c pod=crash_default(u-crash)")
            #expect(s1.first?.lastState?.terminated?.exitCode == 3 && s1.first?.lastState?.terminated?.reason == "Error")
            #expect(s1.phase == "Running")
            f.clock.advance(by: 9)
            try await Task.sleep(for: .milliseconds(200))
            #expect(f.api.last?.first?.restartCount == 1)
            f.clock.advance(by: 1)
            let s2 = try await f.waitForStatus("CrashLoopBackOff 20s") { $0.first?.state?.waiting?.message?.hasPrefix("back-off 20s") == true }
            #expect(s2.first?.restartCount == 2)
            f.clock.advance(by: 20)
            try await f.waitForStatus("back-off 40s") { $0.first?.state?.waiting?.message?.hasPrefix("back-off 40s") == true && $0.first?.restartCount == 3 }
            #expect(f.api.events.filter { $0.hasPrefix("BackOff: ") }.count == 3)
            #expect(f.api.events.contains("BackOff: Back-off restarting failed container c in pod crash_default(u-crash)"))
            // Each restart logs to its own file; only the current and the previous attempt's
            // logs are kept (as Kubernetes), rotated files included.
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["2.log", "3.log"])
            #expect(HostRuntimeFixture.messages(dir + "/2.log") == ["boom"] && HostRuntimeFixture.messages(dir + "/3.log") == ["boom"])
            await w.podRemoved()
            await w.waitUntilFinished()
            #expect(try await f.runtime.runtime.listPodSandboxes().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: "\(f.runtime.root)/pods/default_crash_u-crash"))
        }
    }

    @Test func initContainersRunInOrderThenContainersAndThePodSucceeds() async throws {
        try await PodWorkerFixture.run { f in
            let pod = try f.pod("""
            {"metadata":{"name":"ordered","namespace":"default","uid":"u-ord"},"spec":{"restartPolicy":"Never",
             "initContainers":[{"name":"i1","command":["sh","-c","sleep 0.5; echo one"]},{"name":"i2","command":["sh","-c","echo two"]}],
             "containers":[{"name":"main","image":"busybox","command":["sh","-c","echo main $(ORDER)"],"env":[{"name":"ORDER","value":"last"}],
               "resources":{"requests":{"cpu":"100m"}}}]}}
            """)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            let s = try await f.waitForStatus("Succeeded") { $0.phase == "Succeeded" }
            #expect(s.initContainerStatuses?.map { "\($0.name):\($0.state?.terminated?.reason ?? "")" } == ["i1:Completed", "i2:Completed"])
            #expect(s.first?.state?.terminated?.exitCode == 0 && s.first?.state?.terminated?.reason == "Completed")
            #expect(s.first?.image == "busybox" && s.first?.started == false && s.first?.ready == false)
            #expect(s.qosClass == "Burstable" && s.hostIP == "10.0.0.5" && s.podIP == "10.0.0.5" && s.podIPs == [IPEntry("10.0.0.5")])
            #expect(s.conditions?.map { "\($0.type)=\($0.status)/\($0.reason ?? "")" } == [
                "Initialized=True/", "Ready=False/PodCompleted", "ContainersReady=False/PodCompleted", "PodScheduled=True/"])
            let dir = "\(f.runtime.root)/pods/default_ordered_u-ord"
            #expect(HostRuntimeFixture.messages(dir + "/main/0.log") == ["main last"])
            // Before: Pending with PodInitializing while the init containers ran (i1 sleeps, so
            // a status is written while both are incomplete).
            let pending = try #require(f.api.statuses.first { $0.conditions?.first?.message == "containers with incomplete status: [i1 i2]" })
            #expect(pending.phase == "Pending")
            #expect(pending.conditions?.first == PodCondition(type: "Initialized", status: "False", lastTransitionTime: pending.conditions?.first?.lastTransitionTime,
                                                             reason: "ContainersNotInitialized", message: "containers with incomplete status: [i1 i2]"))
            #expect(pending.first?.state?.waiting?.reason == "PodInitializing")
            let events = f.api.events
            #expect(events.firstIndex(of: "Started: Started container i1")! < events.firstIndex(of: "Created: Created container i2")!)
            #expect(events.firstIndex(of: "Started: Started container i2")! < events.firstIndex(of: "Created: Created container main")!)
            // Finished: the sandbox is stopped, the containers stay.
            #expect(try await f.runtime.runtime.listPodSandboxes().map(\.state) == [.notReady])
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    @Test func missingConfigMapWaitsThenStartsOnceItExists() async throws {
        try await PodWorkerFixture.run { f in
            let pod = try f.pod("""
            {"metadata":{"name":"cfg","namespace":"default","uid":"u-cfg"},"spec":{"containers":[{"name":"c","command":["sh","-c","echo $(V); sleep 30"],
             "env":[{"name":"V","valueFrom":{"configMapKeyRef":{"name":"settings","key":"v"}}}]},{"name":"img","image":"nginx"}]}}
            """)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            let s = try await f.waitForStatus("config error") { $0.first?.state?.waiting?.reason == "CreateContainerConfigError" }
            #expect(s.first?.state?.waiting?.message == #"configmap "settings" not found"#)
            #expect(s.phase == "Pending")
            #expect(s.containerStatuses?.last?.state?.waiting == ContainerStateWaiting("CreateContainerConfigError",
                #"container img has no command: the host runtime runs no image entrypoint (image "nginx" is not pulled until images land); set command"#))
            #expect(f.api.events.contains(#"Failed: Error: configmap "settings" not found"#))
            f.objects.configMaps.withLock { $0["settings"] = ["v": "from-the-map"] }
            try await f.waitForStatus("c running") { $0.first?.state?.running != nil }
            let log = "\(f.runtime.root)/pods/default_cfg_u-cfg/c/0.log"
            try await f.runtime.waitForLog(log, message: "from-the-map")
            #expect(HostRuntimeFixture.messages(log) == ["from-the-map"])
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    @Test func activeDeadlineFailsThePodAndKillsItsContainers() async throws {
        try await PodWorkerFixture.run { f in
            let pod = try f.pod(#"{"metadata":{"name":"dl","namespace":"default","uid":"u-dl"},"spec":{"activeDeadlineSeconds":30,"terminationGracePeriodSeconds":1,"containers":[{"name":"c","command":["sleep","300"]}]}}"#)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            try await f.waitForStatus("Running") { $0.phase == "Running" }
            let pid = try #require(try await f.runtime.runtime.listContainers(ContainerFilter()).first?.pid)
            f.clock.advance(by: 30)
            let s = try await f.waitForStatus("DeadlineExceeded") { $0.phase == "Failed" }
            #expect(s.reason == "DeadlineExceeded" && s.message == "Pod was active on the node longer than the specified deadline")
            #expect(s.first?.state?.terminated?.exitCode == 143)
            #expect(!HostRuntimeFixture.processExists(pid))
            #expect(f.api.events.contains("Killing: Stopping container c"))
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    @Test func gracefulDeletionStopsContainersRemovesTheSandboxAndFinalizes() async throws {
        try await PodWorkerFixture.run { f in
            var pod = try f.pod(#"{"metadata":{"name":"del","namespace":"default","uid":"u-del"},"spec":{"containers":[{"name":"c","command":["sh","-c","trap 'echo bye; exit 0' TERM; while :; do sleep 0.1; done"]}]}}"#)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            try await f.waitForStatus("Running") { $0.phase == "Running" }
            let pid = try #require(try await f.runtime.runtime.listContainers(ContainerFilter()).first?.pid)
            pod.metadata.deletionTimestamp = Timestamp.now()
            pod.metadata.deletionGracePeriodSeconds = 5
            await w.update(pod)
            let deadline = Date().addingTimeInterval(10)
            while f.api.state.withLock({ $0.finalized }).isEmpty, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(f.api.state.withLock { $0.finalized } == ["del"])
            #expect(!HostRuntimeFixture.processExists(pid))
            #expect(try await f.runtime.runtime.listPodSandboxes().isEmpty)
            #expect(f.api.events.contains("Killing: Stopping container c"))
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    /// A second worker for the same pod (a kubelet restart) adopts what runs: no duplicate.
    @Test func aNewWorkerAdoptsTheRunningContainerInsteadOfStartingAnother() async throws {
        try await PodWorkerFixture.run { f in
            let pod = try f.pod(#"{"metadata":{"name":"keep","namespace":"default","uid":"u-keep"},"spec":{"containers":[{"name":"c","command":["sleep","300"]}]}}"#)
            let first = PodWorker(pod: pod, environment: f.environment)
            await first.start()
            let running = try await f.waitForStatus("Running") { $0.phase == "Running" }
            await first.stop()
            await first.waitUntilFinished()
            var seen = pod
            seen.status = running
            let second = PodWorker(pod: seen, environment: f.environment)
            await second.start()
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await f.runtime.runtime.listContainers(ContainerFilter()).count == 1)
            #expect(try await f.runtime.runtime.listPodSandboxes().count == 1)
            let status = await second.currentStatus()
            #expect(status.first?.containerID == running.first?.containerID && status.phase == "Running")
            #expect(status.startTime == running.startTime)
            #expect(f.api.events.filter { $0.hasPrefix("Started:") }.count == 1)
            await second.podRemoved()
            await second.waitUntilFinished()
        }
    }

    @Test func aPodNamingAnUnknownRuntimeClassFails() async throws {
        try await PodWorkerFixture.run { f in
            let pod = try f.pod(#"{"metadata":{"name":"rc","namespace":"default","uid":"u-rc"},"spec":{"runtimeClassName":"gvisor","containers":[{"name":"c","command":["true"]}]}}"#)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            let s = try await f.waitForStatus("Failed") { $0.phase == "Failed" }
            #expect(s.reason == "UnsupportedRuntimeHandler" && s.message == #"runtime handler "gvisor" is not supported by this node (it runs: host)"#)
            #expect(f.api.events == [#"FailedCreatePodSandBox: Failed to create pod sandbox: runtime handler "gvisor" is not supported by this node (it runs: host)"#])
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }

    @Test func aProcessIgnoringSIGTERMIsKilledWhenTheGracePeriodEnds() async throws {
        try await PodWorkerFixture.run { f in
            var pod = try f.pod(#"{"metadata":{"name":"stubborn","namespace":"default","uid":"u-stub"},"spec":{"containers":[{"name":"c","command":["sh","-c","trap '' TERM; while :; do sleep 0.05; done"]}]}}"#)
            let w = PodWorker(pod: pod, environment: f.environment)
            await w.start()
            try await f.waitForStatus("Running") { $0.phase == "Running" }
            let pid = try #require(try await f.runtime.runtime.listContainers(ContainerFilter()).first?.pid)
            pod.metadata.deletionTimestamp = Timestamp.now()
            pod.metadata.deletionGracePeriodSeconds = 1
            let began = Date()
            await w.update(pod)
            while f.api.state.withLock({ $0.finalized }).isEmpty, Date().timeIntervalSince(began) < 10 { try await Task.sleep(for: .milliseconds(20)) }
            let took = Date().timeIntervalSince(began)
            #expect(f.api.state.withLock { $0.finalized } == ["stubborn"])
            #expect(took >= 1 && took < 4)
            #expect(!HostRuntimeFixture.processExists(pid))
            await w.podRemoved()
            await w.waitUntilFinished()
        }
    }
}
