import Foundation
import Synchronization
import Testing
import Wire

/// Bad input gets its error and changes nothing; everyone else keeps being served.
@Suite(.serialized) struct BadInputTests {
    /// A raw TCP peer for sending arbitrary bytes.
    final class RawPeer {
        let fd: Int32
        var decoder = FrameDecoder()

        init(_ hp: HostPort) throws {
            fd = try Socket.connect(to: hp, timeoutMs: 2000)
            var flags = fcntl(fd, F_GETFL)
            flags &= ~O_NONBLOCK
            _ = fcntl(fd, F_SETFL, flags)
            var tv = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        func sendJSON(_ j: JSON) { send(Frame.encode(j.bytes())) }
        func hello(_ token: String, versions: [Int] = [1]) { sendJSON(Hello(versions: versions, token: token, client: "raw").json) }

        /// The next frame as JSON, or nil once the server has closed the connection.
        func next() -> JSON? { nextFrame() }

        /// The next frame, `.null` once closed: easier to test against.
        func nextOrNull() -> JSON { nextFrame() ?? .null }

        private func nextFrame() -> JSON? {
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                if let f = try? decoder.nextFrame() { return try? JSON.parse(f) }
                let n = recv(fd, &buf, buf.count, 0)
                if n <= 0 { return nil }
                decoder.append(buf[0..<n])
            }
        }

        /// True once the server has closed (reads EOF).
        func closedByServer() -> Bool {
            while let _ = next() {}
            return true
        }
    }

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
            // A huge length: an error naming the limit, then the connection closes.
            let huge = try RawPeer(f.server.address)
            huge.send([0xFF, 0xFF, 0xFF, 0xFF])
            let e1 = huge.nextOrNull()
            let m1 = e1["status"]["message"].stringValue ?? ""
            #expect(e1["type"] == "error" && m1.contains("exceeds the limit of 16777216 bytes"))
            #expect(huge.closedByServer())
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
            #expect(mv == "no common protocol version: client speaks [7, 9], server speaks [1]")
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
