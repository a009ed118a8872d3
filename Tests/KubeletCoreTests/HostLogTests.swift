#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim
import Foundation
import Testing
@testable import KubeletCore

/// The CRI log files of the `host` handler: partial lines and rotation.
@Suite(.serialized) struct HostLogTests {
    @Test func longLinesAndAnUnfinishedLastLineArePartialRecords() async throws {
        try await HostRuntimeFixture.run(configure: { $0.logLineLimit = 8 }) { f in
            let c = try await f.create(["printf", "abcdefghijkl\\n12345678\\nxyz"])
            try await f.runtime.startContainer(c.container)
            _ = try await f.wait(c.container, for: .exited)
            #expect(HostRuntimeFixture.records(c.logPath) == [
                "stdout P abcdefgh", "stdout F ijkl", "stdout F 12345678", "stdout P xyz",
            ])
        }
    }

    @Test func rotationKeepsAtMostMaxFiles() async throws {
        // Each record is 48 bytes (30 for the time, "stdout F " and "line NN\n"): four fit
        // under 200 bytes, so 50 lines fill 13 files, of which the newest 3 are kept.
        try await HostRuntimeFixture.run(configure: { $0.logMaxSize = 200; $0.logMaxFiles = 3 }) { f in
            let script = "i=1; while [ $i -le 50 ]; do printf 'line %02d\\n' $i; i=$((i+1)); done"
            let c = try await f.create(["/bin/sh", "-c", script])
            try await f.runtime.startContainer(c.container)
            _ = try await f.wait(c.container, for: .exited)
            let dir = (c.logPath as NSString).deletingLastPathComponent
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["0.log", "0.log.1", "0.log.2"])
            #expect(HostRuntimeFixture.messages(c.logPath + ".2") == ["line 41", "line 42", "line 43", "line 44"])
            #expect(HostRuntimeFixture.messages(c.logPath + ".1") == ["line 45", "line 46", "line 47", "line 48"])
            #expect(HostRuntimeFixture.messages(c.logPath) == ["line 49", "line 50"])
            for suffix in ["", ".1", ".2"] {
                let size = try FileManager.default.attributesOfItem(atPath: c.logPath + suffix)[.size] as? Int
                #expect(size.map { $0 <= 200 } == true)
            }
        }
    }

    @Test func aRestartAppendsToNothingOld() async throws {
        // The kubelet names each restart's log <restartCount>.log: attempts do not mix.
        try await HostRuntimeFixture.run { f in
            let sandboxConfig = f.sandbox()
            let sandboxID = try await f.runtime.runPodSandbox(sandboxConfig)
            for attempt in 0..<2 {
                let config = ContainerConfig(name: "main", attempt: attempt, command: ["echo", "run \(attempt)"], logPath: "main/\(attempt).log")
                let id = try await f.runtime.createContainer(podSandboxID: sandboxID, config: config, sandboxConfig: sandboxConfig)
                try await f.runtime.startContainer(id)
                _ = try await f.wait(id, for: .exited)
            }
            #expect(HostRuntimeFixture.messages("\(sandboxConfig.logDirectory)/main/0.log") == ["run 0"])
            #expect(HostRuntimeFixture.messages("\(sandboxConfig.logDirectory)/main/1.log") == ["run 1"])
        }
    }

    /// The monitor's C log writer (CLinuxShim/crilog.c) on its own, at a fixed time.
    @Test func splitterCutsAtTheLimit() throws {
        let path = FileManager.default.temporaryDirectory.path + "/crilog-\(UUID().uuidString).log"
        defer { unlink(path) }
        var file = skiff_log_file()
        #expect(skiff_log_open(&file, path, 1 << 20, 5) == 0)
        var splitter = skiff_line_splitter()
        splitter.limit = 4
        let nanos: UInt64 = 1_475_713_029_669_794_202
        for chunk in ["ab", "cd\nefghij\n\n", "xy"] {
            skiff_splitter_feed(&splitter, &file, "stdout", nanos, chunk, chunk.utf8.count)
        }
        skiff_splitter_finish(&splitter, &file, "stdout", nanos + 1)
        skiff_log_close(&file)
        free(splitter.buf)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == """
            2016-10-06T00:17:09.669794202Z stdout F abcd
            2016-10-06T00:17:09.669794202Z stdout P efgh
            2016-10-06T00:17:09.669794202Z stdout F ij
            2016-10-06T00:17:09.669794202Z stdout F 
            2016-10-06T00:17:09.669794203Z stdout P xy

            """)
    }

    @Test func timestampHasNineFractionDigits() {
        #expect(CRILogFormat.timestamp(nanos: 1_475_713_029_669_794_202) == "2016-10-06T00:17:09.669794202Z")
        #expect(CRILogFormat.timestamp(nanos: 1_475_713_029_000_000_005) == "2016-10-06T00:17:09.000000005Z")
    }
}
