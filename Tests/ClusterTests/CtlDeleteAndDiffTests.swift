import Foundation
import Testing
import Wire

/// `delete` with kubectl's flags, and `diff -f` against a server-side dry run.
@Suite(.serialized) struct CtlDeleteAndDiffTests {
    func configMaps(_ f: Fixture, _ names: [String], finalizer: Bool = false) throws {
        for n in names {
            let meta = finalizer ? "{name: \(n), finalizers: [example.com/hold]}" : "{name: \(n)}"
            _ = try f.ctl.ok(["create", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: \(meta)\n")
        }
    }

    @Test func deleteFlags() throws {
        let f = try Fixture()
        defer { f.close() }
        try configMaps(f, ["a", "b", "c", "d", "e", "g"])
        #expect(try f.ctl.ok(["delete", "cm", "a", "-o", "name"]) == "configmap/a\n")
        let force = try f.ctl.run(["delete", "cm", "b", "--force", "--grace-period=0"])
        #expect(force.code == 0 && force.stdout == "configmap \"b\" force deleted\n")
        #expect(force.stderr == "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n")
        #expect(try f.ctl.ok(["delete", "cm", "c", "--now"]) == "configmap \"c\" deleted\n")
        let both = try f.ctl.run(["delete", "cm", "d", "--now", "--grace-period=5"])
        #expect(both.code == 1 && both.stderr == "error: --now and --grace-period cannot be specified together\n")
        let orphan = try f.ctl.run(["delete", "cm", "d", "--cascade=false"])
        #expect(orphan.stdout == "configmap \"d\" deleted\n")
        #expect(orphan.stderr == "warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n")
        #expect(try f.ctl.ok(["delete", "cm", "e", "--cascade", "--grace-period", "3"]) == "configmap \"e\" deleted\n")
        let cascade = try f.ctl.run(["delete", "cm", "g", "--cascade=sideways"])
        #expect(cascade.code == 1 && cascade.stderr == "error: invalid cascade value (sideways). Must be \"background\", \"foreground\", or \"orphan\"\n")
        #expect(try f.ctl.ok(["get", "cm", "-o", "name"]) == "configmap/g\n")
    }

    @Test func deleteWaitsForFinalizers() throws {
        let f = try Fixture()
        defer { f.close() }
        try configMaps(f, ["held", "held2"], finalizer: true)
        #expect(try f.ctl.ok(["delete", "cm", "held2", "--wait=false"]) == "configmap \"held2\" deleted\n")
        #expect(try f.ctl.ok(["get", "cm", "held2", "-o", "name"]) == "configmap/held2\n")
        let result = Locked<CtlResult?>(nil)
        let ctl = f.ctl
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let r = try? ctl.run(["delete", "cm", "held"])
            result.withLock { $0 = r }
            done.signal()
        }
        Thread.sleep(forTimeInterval: 1.5)
        #expect(result.value == nil, "delete returned while a finalizer held the object")
        _ = try f.ctl.ok(["patch", "cm", "held", "--type", "json", "-p", #"[{"op":"remove","path":"/metadata/finalizers"}]"#])
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(result.value?.stdout == "configmap \"held\" deleted\n")
        #expect(try f.ctl.run(["get", "cm", "held"]).code == 1)
    }

    @Test func diffAgainstAServerDryRun() throws {
        let f = try Fixture()
        defer { f.close() }
        let v1 = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, labels: {app: web}}\ndata: {a: '1', b: '2'}\n"
        let v2 = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, labels: {app: web}}\ndata: {a: '1', b: '3'}\n"
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: v1)
        let same = try f.ctl.run(["diff", "-f", "-"], stdin: v1)
        #expect(same.code == 0 && same.stdout.isEmpty && same.stderr.isEmpty)
        let changed = try f.ctl.run(["diff", "-f", "-"], stdin: v2)
        #expect(changed.code == 1 && changed.stderr.isEmpty)
        // The first three lines name the temporary files (and their times).
        let lines = changed.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.hasPrefix("diff -u -N \(f.ctl.home)/LIVE-") == true && lines.first?.hasSuffix("/v1.ConfigMap.default.cfg") == true)
        #expect(lines.dropFirst(3).joined(separator: "\n") == #"""
        @@ -1,12 +1,12 @@
         apiVersion: v1
         data:
           a: "1"
        -  b: "2"
        +  b: "3"
         kind: ConfigMap
         metadata:
           annotations:
             kubectl.kubernetes.io/last-applied-configuration: |
        -      {"apiVersion":"v1","data":{"a":"1","b":"2"},"kind":"ConfigMap","metadata":{"labels":{"app":"web"},"name":"cfg"}}
        +      {"apiVersion":"v1","data":{"a":"1","b":"3"},"kind":"ConfigMap","metadata":{"labels":{"app":"web"},"name":"cfg"}}
           creationTimestamp: "\#(creationTimestamp(f))"
           labels:
             app: web

        """#)
        let stored = try JSON.parse(try f.ctl.ok(["get", "cm", "cfg", "-o", "json"]))
        #expect(stored["data"] == ["a": "1", "b": "2"])
        // An object that does not exist yet: all of it is new.
        let new = try f.ctl.run(["diff", "-f", "-"], stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: fresh}\n")
        #expect(new.code == 1 && new.stdout.contains("\n+kind: Namespace\n") && new.stdout.contains("\n+  name: fresh\n"))
        #expect(try f.ctl.run(["get", "ns", "fresh"]).code == 1)
        // $KUBECTL_EXTERNAL_DIFF replaces diff -u -N; errors exit above 1.
        #expect(try f.ctl.run(["diff", "-f", "-"], stdin: v2, env: ["KUBECTL_EXTERNAL_DIFF": "true"]).code == 0)
        let missing = try f.ctl.run(["diff", "-f", f.dir.path + "/nope.yaml"])
        #expect(missing.code == 2 && missing.stderr == "error: the path \"\(f.dir.path)/nope.yaml\" does not exist\n")
        // A manifest the server refuses is an error (2), not "differences found".
        let refused = try f.ctl.run(["diff", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n")
        #expect(refused.code == 2 && refused.stderr.hasPrefix("The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\""), "\(refused)")
    }

    func creationTimestamp(_ f: Fixture) -> String {
        ((try? JSON.parse(try f.ctl.ok(["get", "cm", "cfg", "-o", "json"]))) ?? .null)["metadata"]["creationTimestamp"].stringValue ?? ""
    }
}
