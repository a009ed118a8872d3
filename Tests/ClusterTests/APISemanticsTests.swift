import Foundation
import Testing
import Wire

/// Issue 8's apiserver semantics against the real binaries: system namespaces stay, a node
/// token cannot create or mass-delete pods, and bad durations stop the start with a reason.
@Suite(.serialized) struct APISemanticsTests {
    @Test func systemNamespacesSurviveCtlDelete() throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\n")
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let r = try f.ctl.run(["delete", "ns", ns])
            #expect(r.code == 1 && r.stderr == "Error from server (Forbidden): namespaces \"\(ns)\" is forbidden: this namespace may not be deleted\n", "\(r)")
        }
        #expect(try f.ctl.ok(["get", "cm", "keep", "-o", "name"]) == "configmap/keep\n")
        #expect(try JSON.parse(try f.ctl.ok(["get", "ns", "default", "-o", "json"]))["status"]["phase"] == "Active")
    }

    @Test func nodeTokenCannotCreateOrCollectPods() async throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {nodeName: n2, containers: [{name: c, image: busybox}]}\n")
        let node = Client(config: f.server.clientConfig(token: f.server.nodeToken, nodeName: "n1"))
        defer { node.close() }
        let pod: JSON = ["metadata": ["name": "evil"], "spec": ["nodeName": "n1", "containers": [["name": "c", "image": "busybox"]]]]
        await #expect { try await node.create(.pods, namespace: "default", pod) } throws: { ($0 as? Status)?.code == 403 }
        var dc = Request(verb: .deletecollection, resource: "pods")
        dc.subresource = "status"
        await #expect { try await node.request(dc) } throws: { ($0 as? Status)?.code == 403 }
        await #expect { try await node.delete(.pods, namespace: "default", name: "p") } throws: { ($0 as? Status)?.code == 403 }
        #expect(try f.ctl.ok(["get", "pods", "-o", "name"]) == "pod/p\n")
    }

    @Test func impossibleDurationsStopTheStart() throws {
        for (flag, value, message) in [
            ("--event-ttl", "inf", "--event-ttl must be a duration such as 40s, 5m or 1h, from 0 up to 2562047h47m16s, got \"inf\""),
            ("--node-monitor-period", "0s", "--node-monitor-period must be a duration such as 40s, 5m or 1h, above 0 up to 2562047h47m16s, got \"0s\""),
            ("--max-frame-bytes", "8589934592", "--max-frame-bytes must be from 65536 to 4294967295, got 8589934592"),
            ("--max-object-bytes", "16777216", "--max-object-bytes must be from 1024 to --max-frame-bytes minus 65536 (16711680), got 16777216"),
        ] {
            let dir = TempDir()
            defer { dir.remove() }
            #expect {
                _ = try APIServerProcess(dataDir: dir.path + "/data", extraArgs: [flag, value])
            } throws: {
                "\($0)".contains(message)
            }
        }
    }
}
