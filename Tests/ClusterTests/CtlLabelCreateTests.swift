import Foundation
import Testing
import Wire

/// Unknown verbs, `label`, `annotate` and `create namespace|configmap|secret generic`,
/// against a real apiserver; expected text is what kubectl v1.32 prints.
@Suite(.serialized) struct CtlLabelCreateTests {
    @Test func unknownCommandSuggestsCloseVerbs() throws {
        let f = try Fixture()
        defer { f.close() }
        let none = try f.ctl.run(["frobnicate"])
        #expect(none.code == 1 && none.stdout.isEmpty)
        #expect(none.stderr == "error: unknown command \"frobnicate\" for \"ctl\"\n")
        let typo = try f.ctl.run(["lable", "pod", "x", "a=b"])
        #expect(typo.code == 1)
        #expect(typo.stderr == "error: unknown command \"lable\" for \"ctl\"\n\nDid you mean this?\n\tlabel\n")
        // Within distance 2 of two verbs (get 1, set 2), listed in order, as kubectl; a prefix counts too.
        #expect(try f.ctl.run(["gett"]).stderr == "error: unknown command \"gett\" for \"ctl\"\n\nDid you mean this?\n\tget\n\tset\n")
        #expect(try f.ctl.run(["api"]).stderr
            == "error: unknown command \"api\" for \"ctl\"\n\nDid you mean this?\n\tapi-resources\n\tapi-versions\n")
        #expect(try f.ctl.run(["-n", "kube-system", "frobnicate"]).stderr == "error: unknown command \"frobnicate\" for \"ctl\"\n")
        // Real verbs and flags still parse.
        #expect(try f.ctl.run(["--help"]).code == 0)
        #expect(try f.ctl.ok(["-n", "kube-system", "get", "ns", "default", "-o", "name"]) == "namespace/default\n")
    }

    @Test func labelSetsOverwritesRemovesAndLists() throws {
        let f = try Fixture()
        defer { f.close() }
        for n in ["a", "b"] { _ = try f.ctl.ok(["create", "configmap", n]) }
        #expect(try f.ctl.ok(["label", "configmap", "a", "app=web", "tier=front"]) == "configmap/a labeled\n")
        let clash = try f.ctl.run(["label", "cm", "a", "app=db"])
        #expect(clash.code == 1 && clash.stdout.isEmpty)
        #expect(clash.stderr == "error: 'app' already has a value (web), and --overwrite is false\n")
        #expect(try f.ctl.ok(["label", "cm", "a", "app=web"]) == "configmap/a not labeled\n")
        #expect(try f.ctl.ok(["label", "cm/a", "app=db", "--overwrite"]) == "configmap/a labeled\n")
        #expect(try f.ctl.ok(["label", "cm", "a", "--list"]) == "app=db\ntier=front\n")
        #expect(try f.ctl.ok(["label", "cm", "a", "tier-"]) == "configmap/a unlabeled\n")
        #expect(try f.ctl.ok(["label", "cm", "a", "gone-"]) == "label \"gone\" not found.\nconfigmap/a not labeled\n")
        #expect(try f.ctl.ok(["label", "cm", "a", "app-", "x=1"]) == "configmap/a label(s) changed\n")
        let obj = try JSON.parse(try f.ctl.ok(["get", "cm", "a", "-o", "json"]))
        #expect(obj["metadata"]["labels"] == ["x": "1"])
        // --all and -l pick objects from the server; a listing of several gets headings.
        #expect(try f.ctl.ok(["label", "cm", "--all", "team=blue"]) == "configmap/a labeled\nconfigmap/b labeled\n")
        #expect(try f.ctl.ok(["label", "cm", "-l", "x=1", "team=red", "--overwrite"]) == "configmap/a labeled\n")
        #expect(try f.ctl.ok(["label", "cm", "-l", "team", "--list"])
            == "Listing labels for ConfigMap./a:\n team=red\n x=1\nListing labels for ConfigMap./b:\n team=blue\n")
        // -f names the objects in a file.
        try "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n".write(toFile: f.dir.path + "/b.yaml", atomically: true, encoding: .utf8)
        #expect(try f.ctl.ok(["label", "-f", f.dir.path + "/b.yaml", "from=file"]) == "configmap/b labeled\n")
        // The server validates the value; nothing changes.
        let bad = try f.ctl.run(["label", "cm", "b", "v=-bad-"])
        #expect(bad.code == 1 && bad.stderr.hasPrefix("The ConfigMap \"b\" is invalid: metadata.labels: Invalid value: \"-bad-\""))
        #expect(try f.ctl.ok(["label", "cm", "b", "--list"]) == "from=file\nteam=blue\n")
    }

    @Test func labelAndAnnotateRefuseBadArguments() throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["create", "configmap", "a"])
        let cases: [([String], String)] = [
            (["label", "cm", "a"], "error: at least one label update is required\n"),
            (["annotate", "cm", "a"], "error: at least one annotation update is required\n"),
            (["label", "a=b"], "error: one or more resources must be specified as <resource> <name> or <resource>/<name>\n"),
            (["label", "cm", "a", "k=v", "k-"], "error: can not both modify and remove a label in the same command\n"),
            (["annotate", "cm", "a", "k=v", "k-"], "error: can not both modify and remove the following annotation(s) in the same command: k\n"),
            (["label", "cm", "a", "k=v=w"], "error: invalid label spec: k=v=w\n"),
            (["label", "cm", "k=v", "a"], "error: all resources must be specified before label changes: a\n"),
            (["label", "cm", "--all", "-l", "x", "k=v"], "error: cannot set --all and --selector at the same time\n"),
            (["label", "cm", "missing", "k=v"], "Error from server (NotFound): configmaps \"missing\" not found\n"),
        ]
        for (args, err) in cases {
            let r = try f.ctl.run(args)
            #expect(r.code == 1 && r.stdout.isEmpty && r.stderr == err, "\(args)")
        }
        let obj = try JSON.parse(try f.ctl.ok(["get", "cm", "a", "-o", "json"]))
        #expect(obj["metadata"]["labels"].isNull && obj["metadata"]["annotations"].isNull)
    }

    @Test func annotateSetsOverwritesRemovesAndLists() throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["create", "configmap", "a"])
        #expect(try f.ctl.ok(["annotate", "cm", "a", "note=hello world", "url=http://x/?a=b"]) == "configmap/a annotated\n")
        let clash = try f.ctl.run(["annotate", "configmap/a", "note=bye"])
        #expect(clash.code == 1)
        #expect(clash.stderr == "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (hello world)\n")
        #expect(try f.ctl.ok(["annotate", "configmap/a", "note=bye", "--overwrite"]) == "configmap/a annotated\n")
        #expect(try f.ctl.ok(["annotate", "cm", "a", "--list"]) == "note=bye\nurl=http://x/?a=b\n")
        #expect(try f.ctl.ok(["annotate", "cm", "a", "url-"]) == "configmap/a annotated\n")
        let obj = try JSON.parse(try f.ctl.ok(["get", "cm", "a", "-o", "json"]))
        #expect(obj["metadata"]["annotations"] == ["note": "bye"])
    }

    @Test func createNamespaceConfigMapAndSecret() throws {
        let f = try Fixture()
        defer { f.close() }
        #expect(try f.ctl.ok(["create", "namespace", "dev"]) == "namespace/dev created\n")
        #expect(try f.ctl.ok(["create", "ns", "qa", "-o", "name"]) == "namespace/qa\n")
        let dup = try f.ctl.run(["create", "namespace", "dev"])
        #expect(dup.code == 1 && dup.stderr == "Error from server (AlreadyExists): namespaces \"dev\" already exists\n")
        // Files: a directory gives each regular file (not subdirectories); KEY=PATH renames.
        let d = f.dir.path + "/conf"
        try FileManager.default.createDirectory(atPath: d + "/sub", withIntermediateDirectories: true)
        try "one\n".write(toFile: d + "/a.txt", atomically: true, encoding: .utf8)
        try "port=80".write(toFile: d + "/b.conf", atomically: true, encoding: .utf8)
        try "# comment\n\nMODE=fast\n  LEVEL=3=high\n".write(toFile: f.dir.path + "/app.env", atomically: true, encoding: .utf8)
        #expect(try f.ctl.ok(["create", "configmap", "c1", "--from-literal=k1=v1", "--from-literal", "k2=a=b",
                              "--from-file=\(d)", "--from-file=renamed=\(d)/a.txt"]) == "configmap/c1 created\n")
        let c1 = try JSON.parse(try f.ctl.ok(["get", "cm", "c1", "-o", "json"]))
        #expect(c1["data"] == ["a.txt": "one\n", "b.conf": "port=80", "renamed": "one\n", "k1": "v1", "k2": "a=b"])
        #expect(try f.ctl.ok(["create", "configmap", "c2", "--from-env-file", f.dir.path + "/app.env", "-n", "dev"]) == "configmap/c2 created\n")
        let c2 = try JSON.parse(try f.ctl.ok(["get", "cm", "c2", "-n", "dev", "-o", "json"]))
        #expect(c2["data"] == ["MODE": "fast", "LEVEL": "3=high"])
        // Secrets: every value base64 in data.
        #expect(try f.ctl.ok(["create", "secret", "generic", "s1", "--from-literal=user=admin", "--from-file=pw=\(d)/a.txt"]) == "secret/s1 created\n")
        let s1 = try JSON.parse(try f.ctl.ok(["get", "secret", "s1", "-o", "json"]))
        #expect(s1["data"] == ["pw": "b25lCg==", "user": "YWRtaW4="])
        #expect(try f.ctl.ok(["create", "secret", "generic", "s2", "--from-env-file=\(f.dir.path)/app.env"]) == "secret/s2 created\n")
        let s2 = try JSON.parse(try f.ctl.ok(["get", "secret", "s2", "-o", "json"]))
        #expect(s2["data"] == ["MODE": "ZmFzdA==", "LEVEL": "Mz1oaWdo"])
    }

    @Test func createRefusesBadKeysAndDuplicates() throws {
        let f = try Fixture()
        defer { f.close() }
        let keyRule = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
        try "x".write(toFile: f.dir.path + "/f", atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["create", "configmap", "c", "--from-literal=a=1", "--from-literal=a=2"],
             "error: cannot add key \"a\", another key by that name already exists in Data for ConfigMap \"c\"\n"),
            (["create", "secret", "generic", "s", "--from-literal=a=1", "--from-file=a=\(f.dir.path)/f"],
             "error: cannot add key \"a\", another key by that name already exists in Data for Secret \"s\"\n"),
            (["create", "configmap", "c", "--from-literal=a b=1"], "error: \"a b\" is not a valid key name for a ConfigMap: \(keyRule)\n"),
            (["create", "configmap", "c", "--from-literal=..x=1"], "error: \"..x\" is not a valid key name for a ConfigMap: must not start with '..'\n"),
            (["create", "configmap", "c", "--from-literal=novalue"], "error: invalid literal source novalue, expected key=value\n"),
            (["create", "configmap", "c", "--from-env-file=\(f.dir.path)/f", "--from-literal=a=1"],
             "error: from-env-file cannot be combined with from-file or from-literal\n"),
            (["create", "configmap", "c", "--from-file=k=\(f.dir.path)"], "error: cannot give a key name for a directory path\n"),
            (["create", "configmap"], "error: exactly one NAME is required, got 0\nSee 'ctl create configmap -h' for help and examples\n"),
            (["create", "configmap", "a", "b"], "error: exactly one NAME is required, got 2\nSee 'ctl create configmap -h' for help and examples\n"),
        ]
        for (args, err) in cases {
            let r = try f.ctl.run(args)
            #expect(r.code == 1 && r.stdout.isEmpty && r.stderr == err, "\(args)")
        }
        #expect(try f.ctl.run(["get", "cm", "c"]).code == 1)
        #expect(try f.ctl.run(["get", "secret", "s"]).code == 1)
    }
}
