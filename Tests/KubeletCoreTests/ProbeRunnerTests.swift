import Foundation
import Testing
@testable import KubeletCore
@testable import Wire

/// One probe attempt: exec through the real `host` runtime, httpGet and tcpSocket against a
/// raw-socket server on a kernel-picked loopback port.
@Suite(.serialized) struct ProbeRunnerTests {
    static func probe(_ json: String) throws -> Probe {
        try JSONDecoder().decode(Probe.self, from: Data(json.utf8))
    }

    static let noRuntime = ProbeRunner(runtime: ScriptedRuntime([]))

    /// A probe with no container behind it (httpGet, tcpSocket) against 127.0.0.1.
    static func run(_ json: String) async throws -> ProbeVerdict {
        await noRuntime.probe(try probe(json), containerID: "c1", podIP: "127.0.0.1", ports: [])
    }

    @Test func execProbeSucceedsOnExitZeroAndFailsWithTheOutput() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "30"])
            try await f.runtime.startContainer(c.container)
            let runner = ProbeRunner(runtime: f.runtime)
            let ok = try Self.probe(#"{"exec":{"command":["sh","-c","test -n \"$HOSTNAME\""]}}"#)
            #expect(await runner.probe(ok, containerID: c.container, podIP: "127.0.0.1", ports: []) == .success)
            let bad = try Self.probe(#"{"exec":{"command":["sh","-c","echo not ready; echo because >&2; exit 1"]}}"#)
            #expect(await runner.probe(bad, containerID: c.container, podIP: "127.0.0.1", ports: []) == .failure("not ready\nbecause\n"))
        }
    }

    @Test func execProbeTimesOutAfterTimeoutSeconds() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "30"])
            try await f.runtime.startContainer(c.container)
            let runner = ProbeRunner(runtime: f.runtime)
            let slow = try Self.probe(#"{"exec":{"command":["sleep","5"]},"timeoutSeconds":1}"#)
            let started = Date()
            #expect(await runner.probe(slow, containerID: c.container, podIP: "127.0.0.1", ports: []) == .failure(#"command "sleep 5" timed out"#))
            #expect(Date().timeIntervalSince(started) < 3)
        }
    }

    @Test func execProbeOfAMissingExecutableFails() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "30"])
            try await f.runtime.startContainer(c.container)
            let verdict = await ProbeRunner(runtime: f.runtime).probe(try Self.probe(#"{"exec":{"command":["/no/such/probe"]}}"#),
                                                                     containerID: c.container, podIP: "127.0.0.1", ports: [])
            guard case .failure(let message) = verdict else { Issue.record("expected a failure"); return }
            #expect(message.contains("/no/such/probe"))
        }
    }

    @Test func httpProbeStatusDecides() async throws {
        try await TinyHTTPServer.with { server in
            let p = server.port
            let v1 = try await Self.run(#"{"httpGet":{"path":"/ok","port":\#(p)}}"#)
            #expect(v1 == .success)
            let v2 = try await Self.run(#"{"httpGet":{"path":"/fail","port":\#(p)}}"#)
            #expect(v2 == .failure("HTTP probe failed with statuscode: 500"))
            let v3 = try await Self.run(#"{"httpGet":{"path":"/redirect","port":\#(p)}}"#)
            #expect(v3 == .success)
            let v4 = try await Self.run(#"{"httpGet":{"path":"/missing","port":\#(p)}}"#)
            #expect(v4 == .failure("HTTP probe failed with statuscode: 404"))
            #expect(server.requests.count == 4)   // the redirect was not followed
        }
    }

    @Test func httpProbeSendsKubernetesHeadersToANamedPortOnThePodIP() async throws {
        try await TinyHTTPServer.with { server in
            let p = server.port
            let probe = try Self.probe(#"{"httpGet":{"path":"ok","port":"web","httpHeaders":[{"name":"x-probe-ID","value":"yes"}]}}"#)
            let ports = [ContainerPort(name: "web", containerPort: Int32(p))]
            #expect(await Self.noRuntime.probe(probe, containerID: "c1", podIP: "127.0.0.1", ports: ports) == .success)
            #expect(server.requests == ["GET /ok HTTP/1.1\r\nHost: 127.0.0.1:\(p)\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\nX-Probe-Id: yes\r\nConnection: close\r\n\r\n"])
        }
    }

    @Test func httpProbeTimesOutOnAServerThatNeverAnswers() async throws {
        try await TinyHTTPServer.with { server in
            let p = server.port
            let started = Date()
            let verdict = await Self.noRuntime.probe(try Self.probe(#"{"httpGet":{"path":"/hang","port":\#(p)},"timeoutSeconds":1}"#),
                                                     containerID: "c1", podIP: "127.0.0.1", ports: [])
            #expect(verdict == .failure("Get \"http://127.0.0.1:\(p)/hang\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"))
            let took = Date().timeIntervalSince(started)
            #expect(took >= 0.9 && took < 3)
        }
    }

    @Test func httpProbeReadsAtMostTheBodyCapAndUnderstandsChunkedBodies() async throws {
        try await TinyHTTPServer.with { server in
            let started = Date()
            let big = try await Self.run(#"{"httpGet":{"path":"/big","port":\#(server.port)},"timeoutSeconds":5}"#)
            let chunked = try await Self.run(#"{"httpGet":{"path":"/chunked","port":\#(server.port)},"timeoutSeconds":5}"#)
            #expect(big == .success)
            #expect(chunked == .success)
            #expect(Date().timeIntervalSince(started) < 2)   // neither waited for a close
        }
        var raw = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nfine\r\n6;x=y\r\n, true\r\n0\r\n\r\n".utf8)
        guard case .parsed(let head) = HTTPResponseHead.parse(&raw) else { Issue.record("not parsed"); return }
        #expect(head == HTTPResponseHead(status: 200, contentLength: nil, chunked: true))
        #expect(String(decoding: head.body(raw), as: UTF8.self) == "fine, true")
        var junk = Array("SSH-2.0-OpenSSH\r\n\r\n".utf8)
        #expect(HTTPResponseHead.parse(&junk) == .malformed("malformed HTTP response \"SSH-2.0-OpenSSH\""))
        // A hostile server's lengths neither trap nor reach past the bytes received.
        var negative = Array("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nabc".utf8)
        #expect(HTTPResponseHead.parse(&negative) == .malformed("malformed Content-Length \"-1\""))
        var huge = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nabc".utf8)
        guard case .parsed(let hugeHead) = HTTPResponseHead.parse(&huge) else { Issue.record("not parsed"); return }
        #expect(String(decoding: hugeHead.body(huge), as: UTF8.self) == "abc")
    }

    /// Header names as Go canonicalizes them: ASCII only; a name with a non-token byte as is.
    @Test func headerNamesAreCanonicalizedAsGoDoes() {
        #expect(ProbeRunner.canonicalHeaderName("x-custom-header") == "X-Custom-Header")
        #expect(ProbeRunner.canonicalHeaderName("CONTENT-type") == "Content-Type")
        #expect(ProbeRunner.canonicalHeaderName("ß") == "ß")
        #expect(ProbeRunner.canonicalHeaderName("a b") == "a b")
    }

    @Test func httpProbeOfAClosedPortIsRefused() async throws {
        let p = try TinyHTTPServer.closedPort()
        let verdict = await Self.noRuntime.probe(try Self.probe(#"{"httpGet":{"port":\#(p)}}"#), containerID: "c1", podIP: "127.0.0.1", ports: [])
        #expect(verdict == .failure("Get \"http://127.0.0.1:\(p)/\": dial tcp 127.0.0.1:\(p): connect: connection refused"))
    }

    @Test func httpProbeRefusesHTTPSAndHostileInput() async throws {
        let v5 = try await Self.run(#"{"httpGet":{"port":443,"scheme":"HTTPS"}}"#)
        #expect(v5 == .failure("scheme HTTPS is not supported by this kubelet (HTTPS needs TLS, which it does not speak)"))
        let v6 = try await Self.run(#"{"httpGet":{"port":80,"path":"/x\r\nEvil: 1"}}"#)
        #expect(v6 == .failure(#"invalid path "/x\r\nEvil: 1": contains control characters"#))
        let v7 = try await Self.run(#"{"httpGet":{"port":80,"httpHeaders":[{"name":"X","value":"a\r\nEvil: 1"}]}}"#)
        #expect(v7 == .failure(#"invalid header "X": control characters, spaces or colons in the name, or control characters in the value"#))
        let v8 = try await Self.run(#"{"httpGet":{"port":"web"}}"#)
        #expect(v8 == .failure("couldn't find port: web in the container's ports"))
        let v9 = try await Self.run(#"{"httpGet":{"port":70000}}"#)
        #expect(v9 == .failure("invalid port number: 70000"))
    }

    @Test func tcpProbeConnectsOrSaysWhyNot() async throws {
        try await TinyHTTPServer.with { server in
            let open = try Self.probe(#"{"tcpSocket":{"port":\#(server.port)}}"#)
            #expect(await Self.noRuntime.probe(open, containerID: "c1", podIP: "127.0.0.1", ports: []) == .success)
        }
        let p = try TinyHTTPServer.closedPort()
        let closed = try Self.probe(#"{"tcpSocket":{"port":"db","host":"127.0.0.1"}}"#)
        #expect(await Self.noRuntime.probe(closed, containerID: "c1", podIP: "10.9.9.9", ports: [ContainerPort(name: "db", containerPort: Int32(p))])
                == .failure("dial tcp 127.0.0.1:\(p): connect: connection refused"))
    }
}

extension ContainerPort {
    init(name: String, containerPort: Int32) {
        self.init(name: name, containerPort: containerPort, hostPort: nil, hostIP: nil, protocol: nil)
    }
}
