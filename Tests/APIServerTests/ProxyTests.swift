import Foundation
import Synchronization
import Testing
import TestSupport
@testable import apiserver

/// What the fake kubelet saw: handlers that ended because they were cancelled.
final class CancelCount: Sendable {
    let value = Mutex(0)
}

/// `proxy`: the apiserver reaches a kubelet back over the connection the kubelet dialed.
/// The kubelet here is a Wire client with a node identity that serves requests.
@Suite(.serialized) struct ProxyTests {
    func proxy(_ node: String, _ path: String) -> Request {
        var r = Request(verb: .proxy, resource: "nodes", name: node)
        r.path = path
        return r
    }

    func status(_ c: Client, _ r: Request) async -> Status? {
        do {
            _ = try await c.request(r)
            return nil
        } catch {
            return error
        }
    }

    @Test func requestsReachTheNodeOverItsOwnConnection() async throws {
        let s = try await InProcessServer.start { $0.proxyTimeoutSeconds = 2 }
        for n in ["n1", "n2"] { _ = try await s.client.create(.nodes, ["metadata": ["name": .string(n)]]) }
        let kubelet = Client(config: ClientConfig(server: s.address, token: s.tokens.node, nodeName: "n1", clientName: "fake-kubelet"))
        let cancelled = CancelCount()
        kubelet.serve { req in
            if req.path == "slow" {
                try? await Task.sleep(for: .seconds(30))
                if Task.isCancelled { cancelled.value.withLock { $0 += 1 } }
            }
            return .success(["verb": .string(req.verb.rawValue), "path": .string(req.path ?? "")])
        }
        _ = try await kubelet.get(.nodes, name: "n1")

        let echo = try await s.client.request(proxy("n1", "stats/summary")).object
        #expect(echo == ["verb": "proxy", "path": "stats/summary"])
        // Many in flight at once, each answered under its own id.
        try await withThrowingTaskGroup(of: Bool.self) { g in
            for i in 0..<50 {
                g.addTask { try await s.client.request(proxy("n1", "p\(i)")).object["path"] == .string("p\(i)") }
            }
            for try await ok in g { #expect(ok) }
        }
        // A kubelet that does not answer: 504 after the timeout; others are not held up.
        async let slow = status(s.client, proxy("n1", "slow"))
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await s.client.request(proxy("n1", "fast")).object["path"] == "fast")
        #expect(await slow?.code == 504)
        // ... and the kubelet was told to stop working on it (cancel).
        for _ in 0..<20 where cancelled.value.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(cancelled.value.withLock { $0 } == 1)

        // Only admins may proxy; a node cannot reach another (or itself) this way.
        #expect(await status(kubelet, proxy("n1", "healthz"))?.code == 403)
        // No such node: 404. A node whose kubelet is not connected: 503.
        #expect(await status(s.client, proxy("ghost", "healthz"))?.isNotFound == true)
        #expect(await status(s.client, proxy("n2", "healthz"))?.code == 503)
        #expect(await status(s.client, Request(verb: .proxy, resource: "pods", namespace: "default", name: "x"))?.code == 400)

        // The kubelet goes away with a request pending: that request gets 503 at once (not
        // 504 at the timeout), and later ones find no connection.
        async let pending = status(s.client, proxy("n1", "slow"))
        try await Task.sleep(for: .milliseconds(200))
        kubelet.close()
        let cut = await pending
        #expect(cut?.code == 503 && cut?.message.contains("closed") == true, "\(String(describing: cut))")
        #expect(await status(s.client, proxy("n1", "healthz"))?.message.contains("no open connection") == true)
        await s.stop()
    }

    /// A kubelet that never answers: cancel and close must free the caller's slots at once
    /// (before, 16 x 1,024 proxies then a close left every client with 429 for 28 s).
    @Test func cancelAndCloseStopProxiesAndFreeTheirSlots() async throws {
        let s = try await InProcessServer.start {
            $0.proxyTimeoutSeconds = 60
            $0.maxInflight = 20
        }
        defer { Task { await s.stop() } }
        _ = try await s.client.create(.nodes, ["metadata": ["name": "n1"]])
        let kubelet = Client(config: ClientConfig(server: s.address, token: s.tokens.node, nodeName: "n1", clientName: "silent-kubelet"))
        defer { kubelet.close() }
        let cancelled = CancelCount()
        kubelet.serve { _ in
            try? await Task.sleep(for: .seconds(60))
            if Task.isCancelled { cancelled.value.withLock { $0 += 1 } }
            return .success(.null)
        }
        _ = try await kubelet.get(.nodes, name: "n1")
        let context = await s.server.context!
        let address = s.address
        let token = s.tokens.admin
        try await offThread {
            let p = try RawPeer(address)
            #expect(p.handshake(token))
            // cancel: answered 499 at once, and the kubelet is told to stop.
            p.request(1, ["verb": "proxy", "resource": "nodes", "name": "n1", "path": "slow"])
            Thread.sleep(forTimeInterval: 0.2)
            p.sendJSON(["type": "cancel", "id": 1])
            let r = p.response(1)
            #expect(r?["error"]["code"] == 499)
            #expect(r?["error"]["reason"] == "Canceled")
            // close: 15 proxies in flight, then the connection goes away.
            for id in 2...16 { p.request(id, ["verb": "proxy", "resource": "nodes", "name": "n1", "path": "slow"]) }
            Thread.sleep(forTimeInterval: 0.3)
        }
        // Every slot is free again, and the kubelet stopped all 16 handlers.
        try await eventuallyTrue(3) { context.inflightCount == 0 }
        #expect(try await s.client.get(.namespaces, name: "default")["metadata"]["name"] == "default")
        try await eventuallyTrue(5) { cancelled.value.withLock { $0 } == 16 }
    }

    /// A kubelet's answer that is not a proper `response` becomes a clear 502 for the caller,
    /// never a made-up error or a silent `null`.
    @Test func malformedKubeletAnswersAre502() async throws {
        let s = try await InProcessServer.start { $0.proxyTimeoutSeconds = 5 }
        _ = try await s.client.create(.nodes, ["metadata": ["name": "n1"]])
        let kubelet = try RawPeer(s.address, token: s.tokens.node, node: "n1")
        let answers: [JSON] = [
            ["error": "oops"],
            ["error": ["message": "no code"]],
            ["warnings": ["neither object nor error"]],
            ["object": .null],
            ["error": ["kind": "Status", "code": 404, "reason": "NotFound", "message": "nope"]],
        ]
        let kubeletDone = Task.detached {
            for a in answers {
                guard let req = kubelet.next(), req["type"] == "request", let id = req["id"].intValue else { return }
                var o = a.objectValue!
                o["type"] = "response"
                o["id"] = .int(id)
                kubelet.send(.object(o))
            }
        }
        var results: [String] = []
        for _ in answers {
            do {
                results.append(String(decoding: try await s.client.request(proxy("n1", "healthz")).object.bytes(), as: UTF8.self))
            } catch {
                results.append("\(error.code) \(error.reason)")
            }
        }
        await kubeletDone.value
        #expect(results == ["502 BadGateway", "502 BadGateway", "502 BadGateway", "null", "404 NotFound"])
        await s.stop()
    }
}
