import Foundation
import Testing
import Wire

/// `--dry-run=client|server` on the write verbs: the answer kubectl prints, and nothing
/// written.
@Suite(.serialized) struct CtlDryRunTests {
    let cfg = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: '1'}\n"
    let cfg2 = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: '2'}\n"

    @Test func labelAnnotateAndCreateByNameDryRuns() throws {
        let f = try Fixture()
        defer { f.close() }
        #expect(try f.ctl.ok(["apply", "-f", "-"], stdin: cfg) == "configmap/cfg created\n")
        let before = try f.ctl.ok(["get", "cm", "cfg", "-o", "json"])
        #expect(try f.ctl.ok(["label", "cm", "cfg", "tier=web", "--dry-run=server"]) == "configmap/cfg labeled (server dry run)\n")
        #expect(try f.ctl.ok(["label", "cm", "cfg", "tier=web", "--dry-run=client"]) == "configmap/cfg labeled (dry run)\n")
        #expect(try f.ctl.ok(["annotate", "cm", "cfg", "note=x", "--dry-run=server"]) == "configmap/cfg annotated (server dry run)\n")
        #expect(try f.ctl.ok(["get", "cm", "cfg", "-o", "json"]) == before)
        #expect(try f.ctl.ok(["create", "configmap", "other", "--from-literal=k=v", "--dry-run=server"]) == "configmap/other created (server dry run)\n")
        #expect(try f.ctl.ok(["create", "namespace", "ns1", "--dry-run=client"]) == "namespace/ns1 created (dry run)\n")
        #expect(try f.ctl.run(["get", "cm", "other"]).stderr == "Error from server (NotFound): configmaps \"other\" not found\n")
        #expect(try f.ctl.run(["get", "ns", "ns1"]).stderr == "Error from server (NotFound): namespaces \"ns1\" not found\n")
    }

    @Test func dryRunsPrintWhatWouldHappenAndWriteNothing() throws {
        let f = try Fixture()
        defer { f.close() }
        #expect(try f.ctl.ok(["create", "-f", "-", "--dry-run=client"], stdin: cfg) == "configmap/cfg created (dry run)\n")
        #expect(try f.ctl.ok(["create", "-f", "-", "--dry-run=server"], stdin: cfg) == "configmap/cfg created (server dry run)\n")
        #expect(try f.ctl.ok(["apply", "-f", "-", "--dry-run=server"], stdin: cfg) == "configmap/cfg created (server dry run)\n")
        #expect(try f.ctl.ok(["apply", "-f", "-", "--dry-run=client"], stdin: cfg) == "configmap/cfg created (dry run)\n")
        #expect(try f.ctl.run(["get", "cm", "cfg"]).stderr == "Error from server (NotFound): configmaps \"cfg\" not found\n")

        #expect(try f.ctl.ok(["apply", "-f", "-"], stdin: cfg) == "configmap/cfg created\n")
        let before = try f.ctl.ok(["get", "cm", "cfg", "-o", "json"])
        #expect(try f.ctl.ok(["apply", "-f", "-", "--dry-run=server"], stdin: cfg) == "configmap/cfg unchanged (server dry run)\n")
        #expect(try f.ctl.ok(["apply", "-f", "-", "--dry-run=server"], stdin: cfg2) == "configmap/cfg configured (server dry run)\n")
        #expect(try f.ctl.ok(["apply", "-f", "-", "--dry-run=client"], stdin: cfg2) == "configmap/cfg configured (dry run)\n")
        let would = try JSON.parse(try f.ctl.ok(["apply", "-f", "-", "--dry-run=server", "-o", "json"], stdin: cfg2))
        #expect(would["data"] == ["a": "2"])
        #expect(try f.ctl.ok(["replace", "-f", "-", "--dry-run=server"], stdin: cfg2) == "configmap/cfg replaced (server dry run)\n")
        #expect(try f.ctl.ok(["replace", "-f", "-", "--dry-run=client"], stdin: cfg2) == "configmap/cfg replaced (dry run)\n")
        #expect(try f.ctl.ok(["patch", "cm", "cfg", "-p", #"{"data":{"a":"3"}}"#, "--dry-run=server"]) == "configmap/cfg patched (server dry run)\n")
        #expect(try f.ctl.ok(["patch", "cm", "cfg", "-p", #"{"data":{"a":"3"}}"#, "--dry-run=client"]) == "configmap/cfg patched (dry run)\n")
        #expect(try f.ctl.ok(["delete", "cm", "cfg", "--dry-run=server"]) == "configmap \"cfg\" deleted (server dry run)\n")
        #expect(try f.ctl.ok(["delete", "cm", "cfg", "--dry-run=client"]) == "configmap \"cfg\" deleted (dry run)\n")
        #expect(try f.ctl.ok(["get", "cm", "cfg", "-o", "json"]) == before)

        // The server's checks run: a dry run of something invalid fails as the write would.
        let bad = try f.ctl.run(["create", "-f", "-", "--dry-run=server"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n")
        #expect(bad.code == 1 && bad.stderr.hasPrefix("The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\""))
        let bare = try f.ctl.run(["create", "-f", "-", "--dry-run"], stdin: cfg)
        #expect(bare.code == 1 && bare.stderr == "error: --dry-run flag without a value was specified. A value must be set: \"none\", \"server\", or \"client\".\n")
        let wrong = try f.ctl.run(["delete", "cm", "cfg", "--dry-run=yes"])
        #expect(wrong.code == 1 && wrong.stderr == "error: Invalid dry-run value (yes). Must be \"none\", \"server\", or \"client\".\n")
        #expect(try f.ctl.ok(["get", "cm", "cfg", "-o", "json"]) == before)
    }

    @Test func patchTypesAndReplaceForce() throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: cfg)
        #expect(try f.ctl.ok(["patch", "cm", "cfg", "--type", "json", "-p", #"[{"op":"replace","path":"/data/a","value":"9"}]"#]) == "configmap/cfg patched\n")
        #expect(try f.ctl.ok(["patch", "cm", "cfg", "--type=json", "-p", #"[{"op":"test","path":"/data/a","value":"9"}]"#]) == "configmap/cfg patched (no change)\n")
        // -o jsonpath prints the patched object's fields; tables are not a write printer.
        #expect(try f.ctl.ok(["patch", "cm", "cfg", "-p", #"{"data":{"a":"8"}}"#, "-o", "jsonpath={.data.a}"]) == "8")
        #expect(try f.ctl.ok(["create", "configmap", "jp", "--from-literal=k=v", "-o", "jsonpath={.data.k}"]) == "v")
        let wide = try f.ctl.run(["patch", "cm", "cfg", "-p", #"{"data":{"a":"7"}}"#, "-o", "wide"])
        #expect(wide.code == 1 && wide.stderr == "error: unable to match a printer suitable for the output format \"wide\", allowed formats are: json,jsonpath,jsonpath-file,name,yaml\n")
        let failed = try f.ctl.run(["patch", "cm", "cfg", "--type", "json", "-p", #"[{"op":"remove","path":"/data/zz"}]"#])
        #expect(failed.code == 1 && failed.stderr == "The request is invalid: json patch: no value at /data/zz: \"zz\" is missing\n")
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: busybox}\n  - {name: b, image: busybox}\n"
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: pod)
        let patched = try JSON.parse(try f.ctl.ok(["patch", "pod", "p", "-p", #"{"spec":{"containers":[{"name":"b","image":"alpine"}]}}"#, "-o", "json"]))
        #expect(patched["spec"]["containers"].arrayValue?.map { "\($0["name"].stringValue ?? "")=\($0["image"].stringValue ?? "")" } == ["a=busybox", "b=alpine"])
        let type = try f.ctl.run(["patch", "pod", "p", "--type", "apply", "-p", "{}"])
        #expect(type.code == 1 && type.stderr == "error: --type must be one of [json merge strategic], not \"apply\"\n")

        let uid = try JSON.parse(try f.ctl.ok(["get", "cm", "cfg", "-o", "json"]))["metadata"]["uid"]
        #expect(try f.ctl.ok(["replace", "--force", "-f", "-"], stdin: cfg2) == "configmap/cfg replaced\n")
        let replaced = try JSON.parse(try f.ctl.ok(["get", "cm", "cfg", "-o", "json"]))
        #expect(replaced["data"] == ["a": "2"] && replaced["metadata"]["uid"] != uid)
    }
}
