import Synchronization
import Testing
@testable import Wire

/// Protocol version 2's stream frames and `StreamChannel`'s flow control.
@Suite struct StreamFrameTests {
    func object(_ text: String) throws -> JSONObject { try #require(try JSON.parse(text).objectValue) }

    @Test func framesEncodeAsDocumented() {
        let data = StreamMessage.data(id: 7, side: .client, stream: "stdin", bytes: Array("hello".utf8))
        #expect(String(decoding: data.json.bytes(), as: UTF8.self) == #"{"type":"data","id":7,"side":"client","stream":"stdin","data":"aGVsbG8="}"#)
        #expect(String(decoding: StreamMessage.window(id: 3, side: .server, stream: "stdout", bytes: 32768).json.bytes(), as: UTF8.self)
                == #"{"type":"window","id":3,"side":"server","stream":"stdout","bytes":32768}"#)
        #expect(String(decoding: StreamMessage.eof(id: 7, side: .client, stream: "stdin").json.bytes(), as: UTF8.self)
                == #"{"type":"eof","id":7,"side":"client","stream":"stdin"}"#)
        // Length prefix: 73 (0x49) bytes of body.
        #expect(Array(data.frame.prefix(4)) == [0, 0, 0, 0x49])
    }

    @Test func framesParseOnlyFromVersion2() throws {
        let text = #"{"type":"data","id":7,"side":"client","stream":"stdin","data":"aGVsbG8="}"#
        let m = try Message.parse(try object(text), streams: true)
        guard case .stream(let s) = m else { Issue.record("not a stream frame: \(m)"); return }
        #expect(s == .data(id: 7, side: .client, stream: "stdin", bytes: [104, 101, 108, 108, 111]))
        #expect(throws: Status.badRequest("unknown message type \"data\"")) { try Message.parse(try object(text)) }
    }

    @Test func malformedFramesAreClear400s() throws {
        let cases: [(String, String)] = [
            (#"{"type":"data","id":1,"side":"client","stream":"stdin","data":"not base64!"}"#, "data.data is not valid base64"),
            (#"{"type":"data","id":1,"side":"client","stream":"stdin","data":5}"#, "data.data must be a base64 string"),
            (#"{"type":"data","id":1,"side":"client","stream":"tty","data":""}"#, #"data.stream must be "stdin", "stdout" or "stderr""#),
            (#"{"type":"data","id":1,"side":"nobody","stream":"stdin","data":""}"#, #"data.side must be "client" or "server""#),
            (#"{"type":"window","id":1,"side":"client","stream":"stdout","bytes":0}"#, "window.bytes must be an integer from 1 to 16777216"),
            (#"{"type":"window","id":1,"side":"client","stream":"stdout","bytes":16777217}"#, "window.bytes must be an integer from 1 to 16777216"),
            (#"{"type":"eof","side":"client","stream":"stdin"}"#, "eof.id must be an integer"),
        ]
        for (text, message) in cases {
            #expect(throws: Status.badRequest(message)) { try Message.parse(try object(text), streams: true) }
        }
    }

    /// What a channel sent, as JSON text.
    final class Sent: Sendable {
        let frames = Mutex<[String]>([])
        func add(_ frame: [UInt8]) { frames.withLock { $0.append(String(decoding: frame.dropFirst(4), as: UTF8.self)) } }
        var all: [String] { frames.withLock { $0 } }
        var dataBytes: Int {
            all.compactMap { try? JSON.parse($0) }.filter { $0["type"] == "data" }.reduce(0) { total, f in
                total + ((f["data"].stringValue.map { ($0.count / 4) * 3 - $0.filter { $0 == "=" }.count }) ?? 0)
            }
        }
    }

    @Test func writesWaitForWindow() async throws {
        let sent = Sent()
        let channel = StreamChannel(id: 5, side: .server, writes: ["stdout"], reads: []) { sent.add($0) }
        let writer = Task { try await channel.write("stdout", [UInt8](repeating: 65, count: 100_000)) }
        try await Task.sleep(for: .milliseconds(200))
        // The initial window, in frames of at most 32 KiB, then nothing until a grant.
        #expect(sent.dataBytes == 65536)
        #expect(sent.all.count == 2)
        #expect(channel.receive(.window(id: 5, side: .server, stream: "stdout", bytes: 40000)) == nil)
        try await writer.value
        #expect(sent.dataBytes == 100_000)
        // A grant past 16 MiB is refused.
        #expect(channel.receive(.window(id: 5, side: .server, stream: "stdout", bytes: 16 << 20))
                == Status.badRequest("window overflow: a grant of 16777216 bytes takes the window of stdout over 16777216"))
    }

    @Test func readingGrantsWindowAndOverflowIsRefused() async throws {
        let sent = Sent()
        let channel = StreamChannel(id: 9, side: .client, writes: ["stdin"], reads: ["stdout", "stderr"]) { sent.add($0) }
        let chunk = [UInt8](repeating: 1, count: 32768)
        #expect(channel.receive(.data(id: 9, side: .client, stream: "stdout", bytes: chunk)) == nil)
        #expect(channel.receive(.data(id: 9, side: .client, stream: "stdout", bytes: chunk)) == nil)
        // Unread, the window is used up: one byte more is an overflow.
        #expect(channel.receive(.data(id: 9, side: .client, stream: "stdout", bytes: [1]))
                == Status.badRequest("window overflow: 1 bytes of stdout arrived with only 0 granted"))
        #expect(channel.receive(.data(id: 9, side: .client, stream: "stdin", bytes: [1]))
                == Status.badRequest("data for stream \"stdin\", which request 9 does not send that way"))
        #expect(sent.all.isEmpty)
        // Reading half the window grants it back.
        #expect(await channel.read() == .data("stdout", chunk))
        #expect(sent.all == [#"{"type":"window","id":9,"side":"client","stream":"stdout","bytes":32768}"#])
        #expect(channel.receive(.eof(id: 9, side: .client, stream: "stdout")) == nil)
        channel.finish(.success(["exitCode": 3]))
        // What arrived before the end is still read, then the end.
        #expect(await channel.read() == .data("stdout", chunk))
        #expect(await channel.read() == .eof("stdout"))
        #expect(await channel.read() == nil)
        #expect(try await channel.result().get() == ["exitCode": 3])
    }

    /// A task cancelled before it reads or waits for window is not left waiting.
    @Test func cancelledReadersAndWritersReturn() async throws {
        let channel = StreamChannel(id: 1, side: .client, writes: ["stdin"], reads: ["stdout"]) { _ in }
        try await channel.write("stdin", [UInt8](repeating: 0, count: 65536))
        let outcomes = Outcomes()
        let reader = Task {
            while !Task.isCancelled { await Task.yield() }
            let chunk = await channel.read()
            outcomes.list.withLock { $0.append("read \(String(describing: chunk))") }
        }
        let writer = Task {
            while !Task.isCancelled { await Task.yield() }
            var code = 0
            do throws(Status) { try await channel.write("stdin", [1]) } catch { code = error.code }
            outcomes.list.withLock { $0.append("write \(code)") }
        }
        reader.cancel()
        writer.cancel()
        for _ in 0..<150 where outcomes.list.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(Set(outcomes.list.withLock { $0 }) == ["read nil", "write 499"])
    }

    final class Outcomes: Sendable {
        let list = Mutex<[String]>([])
    }
}
