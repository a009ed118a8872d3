import Foundation
import Testing
import Wire

/// A memory hog over its limit, through a real apiserver and kubelet: the container ends
/// `OOMKilled` (137) and ctl shows it as kubectl does. Needs root (cgroups).
@Suite(.serialized) struct PodOOMTests {
    @Test(.enabled(if: getuid() == 0, "cgroups need root"))
    func aMemoryHogOverItsLimitEndsOOMKilled() async throws {
        try await PodCluster.run { c in
            // dd fills a 64 MiB buffer from /dev/zero: a 32 MiB limit cannot hold it.
            _ = try await c.create(PodLifecycleTests.pod("hog", command: ["/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"],
                                                         restartPolicy: "Never") { p in
                p[path: ["spec", "containers"]] = [["name": "app", "image": "busybox",
                                                     "command": ["/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"],
                                                     "resources": ["limits": ["memory": "32Mi", "cpu": "500m"]]]]
            })
            let p = try await c.waitFor("hog", 20, "Failed") { $0["status"]["phase"] == "Failed" }
            let terminated = p["status"]["containerStatuses"].at(0)["state"]["terminated"]
            #expect(terminated["reason"] == "OOMKilled")
            #expect(terminated["exitCode"] == 137)
            #expect(p["status"]["qosClass"] == "Guaranteed")
            try await eventually(5, "the OOMKilled event") {
                try await c.events(of: "hog").contains("OOMKilled: Container app was killed: it used more memory than its limit")
            }
            let table = try c.ctl.ok(["get", "pod", "hog", "--no-headers"])
            #expect(table.split(separator: " ", omittingEmptySubsequences: true).prefix(4) == ["hog", "0/1", "OOMKilled", "0"])
            _ = try c.ctl.ok(["delete", "pod", "hog"])
        }
    }
}
