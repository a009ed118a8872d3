import Foundation
import Synchronization
import Testing
import TestSupport
import Wire

/// Bad input gets its error and changes nothing; everyone else keeps being served.
@Suite(.serialized) struct BadInputTests {
    /// Runs `body` while another client keeps creating and reading; that client must see
    /// no failure at all.
    func whileOthersAreServed(_ f: Fixture, _ body: @escaping @Sendable () throws -> Void) async throws {
        let conn = try await f.server.connect()
        let failures = Locked<[String]>([])
        let bystanderDone = Locked(0)
        let stop = Locked(false)
        let bystander = Task.detached {
            var i = 0
            while !stop.withLock({ $0 }) {
                var req = Request(verb: .create, resource: "configmaps", namespace: "default")
                req.object = ["metadata": ["name": .string("ok-\(i)")]]
                do { _ = try await conn.request(req) } catch { failures.withLock { $0.append("\(error)") } }
                i += 1
                bystanderDone.withLock { $0 = i }
            }
            return i
        }
        try await eventually(10, "the bystander's first requests") { bystanderDone.value >= 5 }
        try await offThread(body)
        let mark = bystanderDone.value
        try await eventually(10, "the bystander's later requests") { bystanderDone.value >= mark + 5 }
        stop.withLock { $0 = true }
        let n = await bystander.value
        #expect(n > 0)
        #expect(failures.withLock { $0 }.isEmpty, "the bystander saw failures: \(failures.withLock { $0 })")
    }

    @Test func everyKindOfGarbage() async throws {
        let f = try Fixture()
        defer { f.close() }
        let server = f.server
        try await whileOthersAreServed(f) {
            let f = (server: server, unused: 0)
            // Random bytes: their first four bytes are a length; whatever it says, the
            // server refuses or waits, and never falls over.
            var rng = SystemRandomNumberGenerator()
            for _ in 0..<20 {
                let p = try RawPeer(f.server.address)
                p.send((0..<200).map { _ in UInt8.random(in: 0...255, using: &rng) })
                close(p.fd)
            }
            // A huge length: an error naming the limit, then the connection closes. Before
            // the hello the limit is 64 KiB (a hello is tiny), after it the maximum frame size.
            let huge = try RawPeer(f.server.address)
            huge.send([0xFF, 0xFF, 0xFF, 0xFF])
            let e1 = huge.nextOrNull()
            let m1 = e1["status"]["message"].stringValue ?? ""
            #expect(e1["type"] == "error" && m1 == "protocol error: frame length 4294967295 exceeds the limit of 65536 bytes")
            #expect(huge.closedByServer())
            let preAuth = try RawPeer(f.server.address)
            preAuth.send([0, 1, 0, 1])
            #expect(preAuth.nextOrNull()["status"]["message"] == "protocol error: frame length 65537 exceeds the limit of 65536 bytes")
            let hugeAfterHello = try RawPeer(f.server.address)
            #expect(hugeAfterHello.handshake(f.server.adminToken))
            hugeAfterHello.send([0xFF, 0xFF, 0xFF, 0xFF])
            #expect(hugeAfterHello.nextOrNull()["status"]["message"] == "protocol error: frame length 4294967295 exceeds the limit of 16777216 bytes")
            // Zero length.
            let zero = try RawPeer(f.server.address)
            zero.send([0, 0, 0, 0])
            let m0 = zero.nextOrNull()["status"]["message"].stringValue ?? ""
            #expect(m0.contains("frame length is zero"))
            // Invalid UTF-8 and invalid JSON.
            let utf = try RawPeer(f.server.address)
            utf.send(Frame.encode([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D]))
            let mu = utf.nextOrNull()["status"]["message"].stringValue ?? ""
            #expect(mu.contains("not valid UTF-8"))
            let js = try RawPeer(f.server.address)
            js.send(Frame.encode(Array("{\"type\":".utf8)))
            let mj = js.nextOrNull()["status"]["message"].stringValue ?? ""
            #expect(mj.contains("not valid JSON"))
            // A truncated frame, then silence: the server waits; then we hang up.
            let trunc = try RawPeer(f.server.address)
            trunc.send(Array(Frame.encode(Array("{\"type\":\"hello\"}".utf8)).prefix(9)))
            close(trunc.fd)
            // Wrong token: 401, closed.
            let unauth = try RawPeer(f.server.address)
            unauth.hello("wrong")
            let e2 = unauth.nextOrNull()
            #expect(e2["status"]["code"] == 401)
            #expect(unauth.closedByServer())
            // No common version: the error names both sides.
            let ver = try RawPeer(f.server.address)
            ver.hello(f.server.adminToken, versions: [7, 9])
            let mv = ver.nextOrNull()["status"]["message"].stringValue
            #expect(mv == "no common protocol version: client speaks [7, 9], server speaks [1, 2]")
            // Requests before hello are refused.
            let early = try RawPeer(f.server.address)
            early.sendJSON(Request(id: 1, verb: .list, resource: "pods").json)
            #expect(early.nextOrNull()["status"]["code"] == 400)
            // Wrong JSON types inside requests: an error response, the connection lives on.
            let typed = try RawPeer(f.server.address)
            typed.hello(f.server.adminToken)
            #expect(typed.nextOrNull()["type"] == "welcome")
            typed.sendJSON(["type": "request", "id": 1, "verb": "get", "resource": 5])
            #expect(typed.nextOrNull()["error"]["message"] == "request.resource must be a string, got number")
            typed.sendJSON(["type": "request", "id": 2, "verb": "create", "resource": "pods", "namespace": "default",
                            "object": ["metadata": ["name": "p"], "spec": ["containers": "nginx"]]])
            let e3 = typed.nextOrNull()
            let m3 = e3["error"]["message"].stringValue ?? ""
            #expect(e3["error"]["code"] == 400 && m3.contains("spec.containers: expected array, got string"))
            typed.sendJSON(["type": "request", "id": 3, "verb": "frobnicate"])
            let m4 = typed.nextOrNull()["error"]["message"].stringValue ?? ""
            #expect(m4.hasPrefix("unknown verb"))
            typed.sendJSON(["type": "request", "id": 4, "verb": "get", "resource": "namespaces", "name": "default"])
            #expect(typed.nextOrNull()["object"]["metadata"]["name"] == "default")
        }
        // Nothing bad was stored.
        let client = Client(config: f.server.clientConfig())
        defer { client.close() }
        #expect(try await client.list(.pods).items.isEmpty)
    }

    @Test func silentConnectionsAreClosed() async throws {
        let f = try Fixture(extraArgs: ["--handshake-timeout", "1s"])
        defer { f.close() }
        let address = f.server.address
        let start = Date()
        let e = try await offThread { try RawPeer(address).nextOrNull() }
        #expect(e["status"]["reason"] == "Timeout")
        #expect(Date().timeIntervalSince(start) < 4)
    }

    @Test func oversizedObjectIsRefused() async throws {
        let f = try Fixture(extraArgs: ["--max-object-bytes", "10000"])
        defer { f.close() }
        let client = Client(config: f.server.clientConfig())
        defer { client.close() }
        let big = String(repeating: "x", count: 20000)
        await #expect(throws: Status.self) {
            _ = try await client.create(.configMaps, namespace: "default", ["metadata": ["name": "big"], "data": ["a": .string(big)]])
        }
        #expect(try await client.getIfPresent(.configMaps, namespace: "default", name: "big") == nil)
    }
}
