import Foundation
import Testing
import Wire

/// A real kubelet's `--system-reserved`, `--kube-reserved` and `--eviction-hard` in its Node's
/// allocatable, and bad values refused before it starts.
@Suite(.serialized) struct NodeAllocatableFlagTests {
    @Test func reservationsComeOffTheCapacity() async throws {
        let f = try Fixture()
        defer { f.close() }
        let kubelet = Process()
        kubelet.executableURL = URL(fileURLWithPath: Binaries.path("kubelet"))
        kubelet.arguments = ["--server", f.server.address.description, "--token", f.server.nodeToken, "--node-name", "reserved",
                             "--root-dir", f.dir.path + "/kl", "--system-reserved", "cpu=500m,memory=1Gi",
                             "--kube-reserved", "memory=512Mi", "--eviction-hard", "memory.available<100Mi"]
        kubelet.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try kubelet.run()
        defer { kubelet.terminate(); kubelet.waitUntilExit() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await eventually(15, "node reserved registered") { try await admin.getIfPresent(.nodes, name: "reserved") != nil }
        let status = try await admin.get(.nodes, name: "reserved")["status"]
        let cpu = try #require(status["capacity"]["cpu"].stringValue.flatMap { Int($0) })
        let memoryText = try #require(status["capacity"]["memory"].stringValue)
        let memoryKi = try #require(Int(memoryText.dropLast(2)))
        #expect(memoryText.hasSuffix("Ki"))
        // 1Gi + 512Mi + 100Mi = 1675264Ki; cpu less 500m; storage keeps its capacity (the
        // given thresholds replace the defaults, so there is no nodefs one).
        #expect(status["allocatable"]["memory"].stringValue == "\(memoryKi - 1_675_264)Ki")
        #expect(status["allocatable"]["cpu"].stringValue == "\(cpu - 1)500m")
        #expect(status["allocatable"]["ephemeral-storage"] == status["capacity"]["ephemeral-storage"])
        #expect(status["allocatable"]["pods"] == "110")
    }

    @Test func badValuesStopTheKubeletWithTheReason() throws {
        for (flags, message) in [
            (["--system-reserved", "memory"], "Error: --system-reserved: \"memory\" is not RESOURCE=QUANTITY (e.g. memory=1Gi)"),
            (["--eviction-hard", "memory.available<lots"], "Error: --eviction-hard: \"lots\" for memory.available is not a quantity"),
            (["--cgroup-root", "a/../b"], "Error: --cgroup-root \"a/../b\": must be a relative path without empty, \".\" or \"..\" parts"),
            (["--pod-pids-limit", "0"], "Error: --pod-pids-limit must be -1 or positive"),
        ] {
            let dir = FileManager.default.temporaryDirectory.path + "/kubelet-flags-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Binaries.path("kubelet"))
            p.arguments = ["--server", "127.0.0.1:1", "--token", "x", "--node-name", "bad", "--root-dir", dir] + flags
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus != 0)
            #expect(text.split(separator: "\n").first.map(String.init) == message, "\(flags)")
        }
    }
}
