import ControllerRuntime
import Foundation
import Testing
@testable import KubeletCore
@testable import Wire

/// postStart / preStop handlers and the FailedPostStartHook / FailedPreStopHook messages.
@Suite(.serialized) struct HookRunnerTests {
    static func handler(_ json: String) throws -> LifecycleHandler {
        try JSONDecoder().decode(LifecycleHandler.self, from: Data(json.utf8))
    }

    static func run(_ runner: ProbeRunner, _ json: String, containerID: String = "c1", timeout: Double = 5) async throws -> ProbeVerdict {
        await runner.runHook(try handler(json), containerID: containerID, containerName: "main", podDescription: "demo_default(uid-demo)",
                             podIP: "127.0.0.1", ports: [], timeout: timeout)
    }

    @Test func execHookRunsInTheContainerAndFailsWithKubernetesWording() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "30"])
            try await f.runtime.startContainer(c.container)
            let runner = ProbeRunner(runtime: f.runtime)
            let marker = "\(f.root)/poststart"
            let ok = try await Self.run(runner, #"{"exec":{"command":["sh","-c","echo $HOSTNAME > \#(marker)"]}}"#, containerID: c.container)
            #expect(ok == .success)
            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "demo\n")
            let bad = try await Self.run(runner, #"{"exec":{"command":["sh","-c","echo out; echo err >&2; exit 3"]}}"#, containerID: c.container)
            #expect(bad == .failure("Exec lifecycle hook ([sh -c echo out; echo err >&2; exit 3]) for Container \"main\" in Pod \"demo_default(uid-demo)\" failed - error: command 'sh -c echo out; echo err >&2; exit 3' exited with 3: err\n, message: \"out\\nerr\\n\""))
        }
    }

    @Test func execHookIsCutAtTheTimeout() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "30"])
            try await f.runtime.startContainer(c.container)
            let started = Date()
            let verdict = try await Self.run(ProbeRunner(runtime: f.runtime), #"{"exec":{"command":["sleep","10"]}}"#, containerID: c.container, timeout: 0.5)
            #expect(verdict == .failure("Exec lifecycle hook ([sleep 10]) for Container \"main\" in Pod \"demo_default(uid-demo)\" failed - error: command 'sleep 10' timed out after 0.5s, message: \"\""))
            #expect(Date().timeIntervalSince(started) < 3)
        }
    }

    @Test func httpHookFailsOnlyWithoutAResponse() async throws {
        let runner = ProbeRunner(runtime: ScriptedRuntime([]))
        try await TinyHTTPServer.with { server in
            // Kubernetes does not check a hook's status code: a 500 is not a failure.
            let served = try await Self.run(runner, #"{"httpGet":{"path":"/fail","port":\#(server.port)}}"#)
            #expect(served == .success)
            #expect(server.requests == ["GET /fail HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nUser-Agent: kube-lifecycle/1.32\r\nAccept: */*\r\nConnection: close\r\n\r\n"])
        }
        let p = try TinyHTTPServer.closedPort()
        let refused = try await Self.run(runner, #"{"httpGet":{"path":"/stop","port":\#(p)}}"#)
        #expect(refused == .failure("HTTP lifecycle hook (/stop) for Container \"main\" in Pod \"demo_default(uid-demo)\" failed - error: Get \"http://127.0.0.1:\(p)/stop\": dial tcp 127.0.0.1:\(p): connect: connection refused"))
    }

    @Test func httpHookTimesOutOnAServerThatNeverAnswers() async throws {
        try await TinyHTTPServer.with { server in
            let verdict = try await Self.run(ProbeRunner(runtime: ScriptedRuntime([])), #"{"httpGet":{"path":"/hang","port":\#(server.port)}}"#, timeout: 0.3)
            #expect(verdict == .failure("HTTP lifecycle hook (/hang) for Container \"main\" in Pod \"demo_default(uid-demo)\" failed - error: Get \"http://127.0.0.1:\(server.port)/hang\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"))
        }
    }

    @Test func sleepHookSleepsOnTheClockAndFailsWhenTheGracePeriodEndsFirst() async throws {
        let clock = FakeClock()
        let runner = ProbeRunner(runtime: ScriptedRuntime([]), clock: clock)
        let short = Task { try await Self.run(runner, #"{"sleep":{"seconds":5}}"#, timeout: 30) }
        try await Self.waitForSleeper(clock)
        clock.advance(by: 5)
        #expect(try await short.value == .success)

        let unlimited = Task { try await Self.run(runner, #"{"sleep":{"seconds":100}}"#, timeout: 0) }
        try await Self.waitForSleeper(clock)
        clock.advance(by: 99)
        #expect(clock.sleeperCount == 1)
        clock.advance(by: 1)
        #expect(try await unlimited.value == .success)

        let long = Task { try await Self.run(runner, #"{"sleep":{"seconds":10}}"#, timeout: 3) }
        try await Self.waitForSleeper(clock)
        clock.advance(by: 3)
        #expect(try await long.value == .failure("Sleep lifecycle hook (10) for Container \"main\" in Pod \"demo_default(uid-demo)\" failed - error: container terminated before sleep hook finished"))
    }

    @Test func unsupportedHandlersSayWhy() async throws {
        let runner = ProbeRunner(runtime: ScriptedRuntime([]))
        let tcp = try await Self.run(runner, #"{"tcpSocket":{"port":80}}"#)
        #expect(tcp == .failure("Cannot run handler: invalid handler: tcpSocket is not supported as a lifecycle handler"))
        let empty = try await Self.run(runner, "{}")
        #expect(empty == .failure("Cannot run handler: invalid handler: no exec, httpGet or sleep action"))
    }

    static func waitForSleeper(_ clock: FakeClock) async throws {
        let deadline = Date().addingTimeInterval(5)
        while clock.sleeperCount == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(2)) }
    }
}
