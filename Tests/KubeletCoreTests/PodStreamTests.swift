import Foundation
import Synchronization
import Testing
import Wire
@testable import KubeletCore

/// What `ctl logs` reads from CRI log files, and the runtime's streaming exec.
@Suite(.serialized) struct PodStreamTests {
    func feed(_ records: [String], timestamps: Bool = false, since: String? = nil) -> String {
        var lines = CRILogLines(timestamps: timestamps, since: since)
        var out: [UInt8] = []
        for r in records { out += lines.feed(Array(r.utf8)[...]) ?? [] }
        for l in lines.flush() { out += l }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func recordsBecomeTheLinesWritten() {
        let records = [
            "2016-10-06T00:17:09.669794202Z stdout P abc",
            "2016-10-06T00:17:09.700000000Z stderr F oops",
            "2016-10-06T00:17:10.000000000Z stdout F def",
            "2016-10-06T00:17:11.500000000Z stdout F ",
            "2016-10-06T00:17:12.000000000Z stdout P no newline yet",
        ]
        #expect(feed(records) == "oops\nabcdef\n\nno newline yet")
        #expect(feed(records, timestamps: true) == """
            2016-10-06T00:17:09.7Z oops
            2016-10-06T00:17:09.669794202Z abcdef
            2016-10-06T00:17:11.5Z \n2016-10-06T00:17:12Z no newline yet
            """)
        #expect(feed(records, since: "2016-10-06T00:17:10.000000000Z") == "def\n\nno newline yet")
    }

    func write(_ path: String, _ lines: [String]) throws {
        try lines.map { "2016-10-06T00:17:09.000000000Z stdout F \($0)\n" }.joined().write(toFile: path, atomically: false, encoding: .utf8)
    }

    func append(_ path: String, _ line: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h.seekToEndOfFile()
        h.write(Data("2016-10-06T00:17:09.000000000Z stdout F \(line)\n".utf8))
        try h.close()
    }

    final class Collected: Sendable {
        let bytes = Mutex<[UInt8]>([])
        var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
    }

    @Test func rotatedFilesAreReadOldestFirstAndTailCounts() async throws {
        let dir = NSTemporaryDirectory() + "podstream-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("\(dir)/0.log.2", ["one", "two"])
        try write("\(dir)/0.log.1", ["three"])
        try write("\(dir)/0.log", ["four", "five"])
        let cases: [(Int?, Int?, String)] = [
            (nil, nil, "one\ntwo\nthree\nfour\nfive\n"), (2, nil, "four\nfive\n"), (4, nil, "two\nthree\nfour\nfive\n"), (0, nil, ""),
            // Since far back (further than the epoch): everything; since 1 s ago: nothing (2016).
            (nil, Int.max, "one\ntwo\nthree\nfour\nfive\n"), (nil, 1, ""),
        ]
        for (tail, since, expected) in cases {
            var options = LogOptions()
            options.tailLines = tail
            options.sinceSeconds = since
            let got = Collected()
            try await ContainerLogFollower(path: "\(dir)/0.log", options: options).run(now: UInt64(Timestamp.nowNanos()), emit: { b in got.bytes.withLock { $0 += b } }, running: { true })
            #expect(got.text == expected)
        }
    }

    /// `-f`: lines appended later, across a rotation, until the container stops.
    @Test func followGoesOnThroughRotation() async throws {
        let dir = NSTemporaryDirectory() + "podstream-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/0.log"
        try write(path, ["first"])
        var options = LogOptions()
        options.follow = true
        let got = Collected()
        let running = Mutex(true)
        let follower = Task {
            var f = ContainerLogFollower(path: path, options: options)
            f.pollInterval = .milliseconds(20)
            try await f.run(now: 0, emit: { b in got.bytes.withLock { $0 += b } }, running: { running.withLock { $0 } })
        }
        func waitFor(_ text: String) async throws {
            for _ in 0..<250 where got.text != text { try await Task.sleep(for: .milliseconds(20)) }
            #expect(got.text == text)
        }
        try await waitFor("first\n")
        try append(path, "second")
        try await waitFor("first\nsecond\n")
        // Rotation as RotatingLogFile does it: a last line, rename to .1, a new file.
        try append(path, "third")
        rename(path, path + ".1")
        try write(path, ["fourth"])
        try await waitFor("first\nsecond\nthird\nfourth\n")
        running.withLock { $0 = false }
        try await follower.value
        #expect(got.text == "first\nsecond\nthird\nfourth\n")
    }

    @Test func streamingExecPassesStdinAndReturnsTheExitCode() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"])
            try await f.runtime.startContainer(c.container)
            let cat = try await f.runtime.exec(containerID: c.container, command: ["cat"], tty: false, terminalSize: nil, stdin: true)
            try await cat.writeStdin(Array("hello".utf8))
            cat.closeStdin()
            var out: [String] = []
            while let (stream, bytes) = await cat.readOutput() { out.append("\(stream): \(String(decoding: bytes, as: UTF8.self))") }
            #expect(out == ["stdout: hello"])
            #expect(await cat.wait() == 0)

            let fails = try await f.runtime.exec(containerID: c.container, command: ["sh", "-c", "echo err >&2; exit 3"], tty: false, terminalSize: nil, stdin: false)
            var err: [String] = []
            while let (stream, bytes) = await fails.readOutput() { err.append("\(stream): \(String(decoding: bytes, as: UTF8.self))") }
            #expect(err == ["stderr: err\n"])
            #expect(await fails.wait() == 3)

            await #expect(throws: RuntimeError(.startFailed, "exec: \"no-such-command\": executable file not found in $PATH")) {
                _ = try await f.runtime.exec(containerID: c.container, command: ["no-such-command"], tty: false, terminalSize: nil, stdin: false)
            }
        }
    }

    @Test func execOnATerminalMergesOutputWithCRLFAndSetsItsSize() async throws {
        try await HostRuntimeFixture.run { f in
            let c = try await f.create(["sleep", "100"])
            try await f.runtime.startContainer(c.container)
            let script = "tty; stty size; echo err >&2; read line; echo got $line; exit 5"
            let s = try await f.runtime.exec(containerID: c.container, command: ["sh", "-c", script], tty: true,
                                             terminalSize: TerminalSize(width: 100, height: 30), stdin: true)
            var out = ""
            var streams = Set<String>()
            var typed = false
            while let (stream, bytes) = await s.readOutput() {
                streams.insert(stream)
                out += String(decoding: bytes, as: UTF8.self)
                // Typed once the command waits for it, so that the echo has its place.
                if !typed && out.hasSuffix("err\r\n") {
                    typed = true
                    try await s.writeStdin(Array("typed\n".utf8))
                }
            }
            #expect(streams == ["stdout"])
            // One stream, stderr included; every \n comes out as \r\n; the terminal echoes input.
            let expected = #"^/dev/pts/[0-9]+\r\n30 100\r\nerr\r\ntyped\r\ngot typed\r\n$"#
            #expect(out.range(of: expected, options: .regularExpression) != nil, "\(out.debugDescription)")
            #expect(await s.wait() == 5)
        }
    }

    /// Frames a channel sent, decoded: `stdout: text` per data frame.
    final class Frames: Sendable {
        let list = Mutex<[String]>([])
        func add(_ frame: [UInt8]) {
            guard let o = try? JSON.parse(frame.dropFirst(4)), o["type"] == "data", let b64 = o["data"].stringValue,
                  let bytes = Data(base64Encoded: b64) else { return }
            list.withLock { $0.append("\(o["stream"].stringValue ?? ""): \(String(decoding: bytes, as: UTF8.self))") }
        }
        var all: [String] { list.withLock { $0 } }
    }

    /// The kubelet's logs and exec as the apiserver asks for them: containers found by their
    /// labels, the previous run's log by its number, a command that cannot start is 126.
    @Test func podStreamServerFindsContainersByLabels() async throws {
        try await HostRuntimeFixture.run { f in
            let labels = [ContainerLabels.podUID: "uid-demo", ContainerLabels.containerName: "main"]
            let c = try await f.create(["sh", "-c", "echo second run; exec sleep 100"]) {
                $0.attempt = 1
                $0.logPath = "main/1.log"
                $0.labels = labels
                $0.env = [EnvVar("PATH", "/usr/bin:/bin")]
            }
            try await f.runtime.startContainer(c.container)
            try await f.waitForLog(c.logPath, message: "second run")
            // The first run's log, as an earlier container left it.
            let dir = (c.logPath as NSString).deletingLastPathComponent
            try write("\(dir)/0.log", ["first run"])
            // The fixture's sandbox is pod "demo" in "default" under ROOT/pods.
            let server = PodStreamServer(runtime: f.runtime, rootDir: f.root)
            func call(_ verb: Verb, _ body: JSON) async -> (Result<JSON, Status>, [String]) {
                let frames = Frames()
                let channel = StreamChannel(id: 1, side: .server, writes: ["stdout", "stderr"], reads: ["stdin"]) { frames.add($0) }
                var req = Request(id: 1, verb: verb, resource: "pods", namespace: "default", name: "demo")
                req.body = body
                return (await server.handle(req, channel), frames.all)
            }
            let current = await call(.logs, ["container": "main", "uid": "uid-demo"])
            #expect(try current.0.get() == [:] && current.1 == ["stdout: second run\n"])
            let previous = await call(.logs, ["container": "main", "uid": "uid-demo", "previous": true])
            #expect(try previous.0.get() == [:] && previous.1 == ["stdout: first run\n"])
            let none = await call(.logs, ["container": "other", "uid": "uid-demo"])
            #expect(none.0.failureMessage == "container \"other\" in pod \"demo\" is waiting to start - no logs yet")
            let echo = await call(.exec, ["container": "main", "uid": "uid-demo", "command": ["sh", "-c", "echo hi; exit 4"]])
            #expect(try echo.0.get() == ["exitCode": 4] && echo.1 == ["stdout: hi\n"])
            let missing = await call(.exec, ["container": "main", "uid": "uid-demo", "command": ["no-such-command"]])
            #expect(try missing.0.get() == ["exitCode": 126])
            #expect(missing.1 == ["stderr: exec failed: unable to start container process: exec: \"no-such-command\": executable file not found in $PATH\n"])
            let stopped = await call(.exec, ["container": "other", "uid": "uid-demo", "command": ["true"]])
            #expect(stopped.0.failureMessage == "container not found (\"other\")")
        }
    }
}

extension Result where Failure == Status {
    var failureMessage: String? { if case .failure(let s) = self { return s.message } else { return nil } }
}
