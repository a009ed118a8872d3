import Foundation
import Testing
@testable import Wire

/// `Client` requests that find no connection wait for one, each for its own timeout.
@Suite struct ClientWaitTests {
    /// A loopback port nobody listens on: bound by the kernel's pick, then closed.
    static func deadPort() throws -> HostPort {
        let fd = try Socket.listen(on: HostPort(host: "127.0.0.1", port: 0))
        let port = Socket.localAddress(fd)!.port
        close(fd)
        return HostPort(host: "127.0.0.1", port: port)
    }

    static func secondsUntilFailure(_ client: Client) async -> (Double, Int?) {
        let start = Date()
        do {
            _ = try await client.request(Request(verb: .get, resource: "namespaces", name: "default"))
            return (Date().timeIntervalSince(start), nil)
        } catch {
            return (Date().timeIntervalSince(start), error.code)
        }
    }

    /// A request's own timeout bounds its wait for a connection too (a leader's renewal gets
    /// only the time left before its renew deadline).
    @Test func aRequestTimeoutShorterThanTheConnectTimeoutBoundsTheWait() async throws {
        let client = Client(config: ClientConfig(server: try Self.deadPort(), token: "t", clientName: "test", connectTimeoutMs: 5000))
        defer { client.close() }
        let start = Date()
        var code: Int?
        do {
            _ = try await client.request(Request(verb: .get, resource: "leases", namespace: "kube-system", name: "kube-scheduler"), timeoutSeconds: 0.5)
        } catch {
            code = error.code
        }
        let took = Date().timeIntervalSince(start)
        #expect(code == 503)
        #expect(took >= 0.4 && took < 2, "waited \(took)s, not the request's 0.5 s")
    }

    @Test func aLaterWaiterKeepsItsWholeTimeout() async throws {
        let client = Client(config: ClientConfig(server: try Self.deadPort(), token: "t", clientName: "test", connectTimeoutMs: 1000))
        defer { client.close() }
        let first = Task { await Self.secondsUntilFailure(client) }
        try await Task.sleep(for: .milliseconds(600))
        // Starts 0.6 s after the first: the first one's timer (at 1 s) must not end it.
        let (second, code) = await Self.secondsUntilFailure(client)
        let (firstTook, firstCode) = await first.value
        #expect(firstCode == 503 && code == 503)
        #expect(firstTook >= 0.9 && firstTook < 3, "first waited \(firstTook)s")
        #expect(second >= 0.9 && second < 3, "second waited \(second)s, not its own 1 s")
    }
}
