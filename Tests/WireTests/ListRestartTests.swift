import Foundation
import Synchronization
import Testing
@testable import Wire

/// A scripted server: welcomes every hello and answers each list request with the next
/// of `pages` (a continue token it does not know gets 410 Gone, as a compacted one would).
final class ScriptedListServer: @unchecked Sendable {
    let loop: EventLoop
    var listener: SocketListener!
    /// The continue tokens of the list requests received, in order ("" for a first page).
    let received = Mutex<[String]>([])
    /// The next answer to a continued list: Gone once, then pages again.
    let goneOnce = Mutex(true)

    init() throws {
        loop = try EventLoop(name: "scripted-server")
        listener = try SocketListener(address: HostPort(host: "127.0.0.1", port: 0), loop: loop, limits: .default, onAccept: { [self] framed in
            framed.onFrame = { [self] body in self.answer(framed, body) }
            try? framed.start()
        })
    }

    func item(_ name: String) -> JSON { ["metadata": ["name": .string(name)]] }

    func answer(_ framed: FramedConnection, _ body: [UInt8]) {
        guard let o = try? Frame.parseBody(body) else { return }
        if o["type"]?.stringValue == "hello" {
            _ = framed.send(Frame.encode(Welcome(version: 1, server: "scripted", user: "admin").json.bytes()))
            return
        }
        guard case .request(let req)? = try? Message.parse(o) else { return }
        let token = req.continueToken ?? ""
        received.withLock { $0.append(token) }
        let result: Result<JSON, Status>
        switch token {
        case "":
            result = .success(["items": [item("a"), item("b")], "metadata": ["resourceVersion": "7", "continue": "after-b"]])
        case "after-b" where goneOnce.withLock({ g in defer { g = false }; return g }):
            result = .failure(.gone("The provided continue parameter is too old to display a consistent list result."))
        case "after-b":
            result = .success(["items": [item("c")], "metadata": ["resourceVersion": "7"]])
        default:
            result = .failure(.badRequest("unknown token"))
        }
        _ = framed.send(Message.response(id: req.id, result: result, warnings: []).frame)
    }

    func stop() {
        listener.stop()
        loop.stop()
    }
}

@Suite struct ListRestartTests {
    /// A continue token that expired (410) restarts the list from the first page; the
    /// items of the abandoned attempt are not kept twice.
    @Test func goneContinueTokenRestartsTheList() async throws {
        let server = try ScriptedListServer()
        defer { server.stop() }
        let client = Client(config: ClientConfig(server: server.listener.address, token: "t", clientName: "test", requestTimeoutSeconds: 5))
        defer { client.close() }
        let (items, rv) = try await client.list(.configMaps, namespace: "default", pageSize: 2)
        #expect(items.compactMap { $0["metadata"]["name"].stringValue } == ["a", "b", "c"])
        #expect(rv == "7")
        #expect(server.received.withLock { $0 } == ["", "after-b", "", "after-b"])
    }

    /// Restarts are bounded: with none allowed, the 410 is passed on to the caller.
    @Test func restartsAreBounded() async throws {
        let server = try ScriptedListServer()
        defer { server.stop() }
        let client = Client(config: ClientConfig(server: server.listener.address, token: "t", clientName: "test", requestTimeoutSeconds: 5))
        defer { client.close() }
        await #expect(throws: Status.self) { _ = try await client.list(.configMaps, namespace: "default", pageSize: 2, restarts: 0) }
        #expect(server.received.withLock { $0 } == ["", "after-b"])
    }
}
