import Testing
@testable import Wire

@Suite struct FrameTests {
    func frame(_ s: String) -> [UInt8] { Frame.encode(Array(s.utf8)) }

    @Test func fragmentedInputYieldsFramesOnlyWhenWhole() throws {
        let bytes = frame(#"{"a":1}"#) + frame(#"{"b":2}"#)
        var d = FrameDecoder()
        var got: [[UInt8]] = []
        for b in bytes {
            d.append([b])
            while let f = try d.nextFrame() { got.append(f) }
        }
        #expect(got.map { String(decoding: $0, as: UTF8.self) } == [#"{"a":1}"#, #"{"b":2}"#])
        #expect(d.bufferedCount == 0)
    }

    @Test func coalescedInputYieldsEveryFrame() throws {
        var d = FrameDecoder()
        d.append((0..<100).flatMap { frame(#"{"i":\#($0)}"#) } + Array(frame(#"{"last":1}"#).prefix(5)))
        var n = 0
        while try d.nextFrame() != nil { n += 1 }
        #expect(n == 100)
        #expect(d.bufferedCount == 5)
    }

    @Test func zeroLengthIsAnError() {
        var d = FrameDecoder()
        d.append([0, 0, 0, 0])
        #expect(throws: FrameError.zeroLength) { try d.nextFrame() }
    }

    @Test func oversizedLengthIsRefusedBeforeTheBody() {
        var d = FrameDecoder(limits: FrameLimits(maxFrameBytes: 1024, maxObjectBytes: 512))
        d.append([0, 0, 4, 1])
        #expect(throws: FrameError.tooLarge(length: 1025, limit: 1024)) { try d.nextFrame() }
    }

    @Test func bodyChecks() {
        #expect(throws: FrameError.invalidUTF8) { try Frame.parseBody([0x7B, 0xFF, 0x7D]) }
        #expect(throws: FrameError.notAnObject) { try Frame.parseBody(Array("[1]".utf8)) }
        #expect(throws: FrameError.self) { try Frame.parseBody(Array("{nope".utf8)) }
        #expect((try? Frame.parseBody(Array(#"{"é":"ü"}"#.utf8))) != nil)
    }

    @Test func messagesRoundTrip() throws {
        var r = Request(id: 7, verb: .list, resource: "pods", namespace: "default")
        r.labelSelector = "a=b"
        r.limit = 5
        r.continueToken = "tok"
        let back = try Message.parse(try Frame.parseBody(Array(r.json.bytes())))
        guard case .request(let r2) = back else { Issue.record("not a request"); return }
        #expect(r2 == r)
        let frame = Message.responseFrame(id: 3, objectBytes: Array(#"{"x":1}"#.utf8), warnings: ["w"])
        var d = FrameDecoder()
        d.append(frame)
        guard case .response(let id, let result, let warnings) = try Message.parse(try Frame.parseBody(try d.nextFrame()!)) else {
            Issue.record("not a response"); return
        }
        #expect(id == 3 && warnings == ["w"] && (try? result.get()) == ["x": 1])
        let ev = Message.eventFrame(id: 9, shared: Message.sharedEventBody(type: "ADDED", objectBytes: Array("{}".utf8)))
        d.append(ev)
        guard case .event(let eid, let type, _) = try Message.parse(try Frame.parseBody(try d.nextFrame()!)) else { Issue.record("not an event"); return }
        #expect(eid == 9 && type == "ADDED")
    }

    @Test func statusJSONRoundTrip() {
        let s = Status.invalid(kind: "Pod", name: "p", causes: [.required("spec.containers")])
        let back = Status(json: s.json)
        #expect(back == s)
        #expect(s.message == "Pod \"p\" is invalid: spec.containers: Required value")
    }
}
