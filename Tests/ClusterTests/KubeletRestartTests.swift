import Foundation
import Testing
import Wire

/// kill -9 the kubelet while pods run, let one container exit meanwhile, restart the
/// kubelet: the running processes are still there, once, and the ended one's exit code is
/// reported.
@Suite(.serialized) struct KubeletRestartTests {
    /// The live shells whose command line contains `marker` (not the monitors, which name
    /// the command too).
    static func processes(containing marker: String) -> [Int32] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            return comm == "sh\n" && String(decoding: data, as: UTF8.self).contains(marker) && processAlive(pid)
        }
    }

    @Test func aContainerThatExitsWhileTheKubeletIsDownIsReportedWithItsExitCode() async throws {
        try await PodCluster.run { c in
            let marker = "tick-\(UUID().uuidString.prefix(8))"
            let release = c.fixture.dir.path + "/release-quitter"
            let ticker = "while :; do echo \(marker); sleep 0.2; done"
            let quitter = "while [ ! -f \(release) ]; do sleep 0.05; done; exit 7"
            var pod = PodLifecycleTests.pod("pair", command: [], restartPolicy: "Never")
            pod[path: ["spec", "containers"]] = [["name": "ticker", "image": "busybox", "command": ["sh", "-c", .string(ticker)]],
                                                 ["name": "quitter", "image": "busybox", "command": ["sh", "-c", .string(quitter)]]]
            let uid = try await c.create(pod)["metadata"]["uid"].stringValue ?? ""
            let before = try await c.waitFor("pair", 15, "both containers running") { p in
                p["status"]["phase"] == "Running" && (p["status"]["containerStatuses"].arrayValue ?? []).filter { $0["state"]["running"] != .null }.count == 2
            }
            let tickers = Self.processes(containing: marker)
            #expect(tickers.count == 1)
            let pids = c.containerPIDs()
            #expect(pids.count == 2)

            c.kill9Kubelet()
            _ = FileManager.default.createFile(atPath: release, contents: nil)
            try await eventually(10, "the quitter exited while no kubelet ran") { pids.filter(processAlive).count == 1 }
            let logPath = "\(c.rootDir)/pods/default_pair_\(uid)/ticker/0.log"
            let linesBefore = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").count
            try c.startKubelet()

            let after = try await c.waitFor("pair", 15, "the quitter's exit reported") { p in
                Self.status(p, "quitter")["state"]["terminated"]["exitCode"] == 7
            }
            let q = Self.status(after, "quitter")
            #expect(q["state"]["terminated"]["reason"] == "Error")
            #expect(q["restartCount"] == 0 && q["ready"] == false)
            #expect(q["containerID"] == Self.status(before, "quitter")["containerID"])
            let t = Self.status(after, "ticker")
            #expect(t["state"]["running"]["startedAt"] == Self.status(before, "ticker")["state"]["running"]["startedAt"])
            #expect(t["containerID"] == Self.status(before, "ticker")["containerID"])
            #expect(t["restartCount"] == 0)
            #expect(after["status"]["phase"] == "Running")
            // restartPolicy Never: the quitter is not started again, and nothing runs twice.
            try await Task.sleep(for: .seconds(2))
            let later = try await c.pod("pair")
            #expect(Self.status(later, "quitter")["restartCount"] == 0 && Self.status(later, "quitter")["state"]["terminated"]["exitCode"] == 7)
            #expect(Self.processes(containing: marker) == tickers)
            #expect(c.containerPIDs().sorted() == pids.sorted())
            // The adopted ticker still writes its log.
            #expect(try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").count > linesBefore)
        }
    }

    static func status(_ pod: JSON, _ container: String) -> JSON {
        (pod["status"]["containerStatuses"].arrayValue ?? []).first { $0["name"].stringValue == container } ?? .null
    }
}
