import Foundation
import Testing
import Wire

/// Real YAML documents through the ctl binary to a real apiserver: numbers, booleans and
/// nulls arrive typed, empty documents are skipped, and `-o yaml` reads back unchanged.
@Suite(.serialized) struct YAMLManifestTests {
    static let pod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: simple-pod
        spec:
          automountServiceAccountToken: false
          securityContext:
            runAsUser: 1000
            runAsNonRoot: yes
          containers:
          - name: web
            image: nginx:1.14.2
            ports:
            - containerPort: 80
            readinessProbe:
              httpGet:
                path: /
                port: 80
              initialDelaySeconds: 5
              periodSeconds: 0x0A
          volumes:
          - name: cfg
            configMap:
              name: cfg
              defaultMode: 0400

        """

    @Test func blockStylePodIsStoredTyped() throws {
        let f = try Fixture()
        defer { f.close() }
        #expect(try f.ctl.ok(["apply", "-f", "-"], stdin: Self.pod) == "pod/simple-pod created\n")
        let got = try JSON.parse(try f.ctl.ok(["get", "pod", "simple-pod", "-o", "json"]))
        #expect(got["spec"]["automountServiceAccountToken"] == false)
        #expect(got["spec"]["securityContext"] == (try JSON.parse(#"{"runAsUser": 1000, "runAsNonRoot": true}"#)))
        let c = got["spec"]["containers"].arrayValue?.first ?? .null
        #expect(c["ports"] == [["containerPort": JSON.int(80), "protocol": "TCP"]])
        #expect(c["readinessProbe"]["httpGet"]["port"] == JSON.int(80))
        #expect(c["readinessProbe"]["periodSeconds"] == JSON.int(10))
        #expect(got["spec"]["volumes"].arrayValue?.first?["configMap"]["defaultMode"] == JSON.int(256))
    }

    @Test func leaseInBlockAndFlowStyle() throws {
        let f = try Fixture()
        defer { f.close() }
        let block = "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: block\nspec:\n  holderIdentity: me\n  leaseDurationSeconds: 30\n"
        let flow = "{apiVersion: coordination.k8s.io/v1, kind: Lease, metadata: {name: flow}, spec: {holderIdentity: me, leaseDurationSeconds: 30}}\n"
        #expect(try f.ctl.ok(["apply", "-f", "-"], stdin: block) == "lease.coordination.k8s.io/block created\n")
        #expect(try f.ctl.ok(["apply", "-f", "-"], stdin: flow) == "lease.coordination.k8s.io/flow created\n")
        for name in ["block", "flow"] {
            let got = try JSON.parse(try f.ctl.ok(["get", "lease", name, "-o", "json"]))
            #expect(got["spec"]["leaseDurationSeconds"] == JSON.int(30) && got["spec"]["holderIdentity"] == "me")
        }
    }

    /// A trailing `---`, an empty and a comment-only document: apply, replace and delete
    /// see only the two objects.
    @Test func emptyDocumentsAreSkippedByEveryVerb() throws {
        let f = try Fixture()
        defer { f.close() }
        let file = f.dir.path + "/two.yaml"
        try """
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: one}
            data: {k: v}
            ---
            ---
            # only a comment
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: two}
            ---

            """.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try f.ctl.ok(["apply", "-f", file]) == "configmap/one created\nconfigmap/two created\n")
        #expect(try f.ctl.ok(["replace", "-f", file]) == "configmap/one replaced\nconfigmap/two replaced\n")
        #expect(try f.ctl.ok(["delete", "-f", file]) == "configmap \"one\" deleted\nconfigmap \"two\" deleted\n")
        let empty = try f.ctl.run(["apply", "-f", "-"], stdin: "---\n# nothing\n---\n")
        #expect(empty.code == 1 && empty.stderr == "error: no objects passed to apply\n")
    }

    /// A file with a broken document is refused as a whole: nothing is created.
    @Test func syntaxErrorRefusesTheFile() throws {
        let f = try Fixture()
        defer { f.close() }
        let r = try f.ctl.run(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\n")
        #expect(r.code == 1 && r.stderr.hasPrefix("error: error parsing STDIN: ") && r.stderr.contains("did not find expected ',' or '}'"), "\(r.stderr)")
        #expect(try f.ctl.run(["get", "cm", "first"]).code == 1)
    }

    /// `data: {n: 3}` is a number (under key "false": YAML 1.1's `n`), which a ConfigMap refuses.
    @Test func configMapWithNumberIsRefused() throws {
        let f = try Fixture()
        defer { f.close() }
        for doc in ["apiVersion: v1\nkind: ConfigMap\nmetadata: {name: n3}\ndata: {n: 3}\n",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: n3}\ndata:\n  count: 3\n"] {
            let r = try f.ctl.run(["apply", "-f", "-"], stdin: doc)
            #expect(r.code == 1 && r.stderr.contains("Error from server (BadRequest)") && r.stderr.contains("expected string, got number"), "\(r.stderr)")
        }
        #expect(try f.ctl.run(["get", "cm", "n3"]).code == 1)
    }

    /// `get -o yaml` then `replace -f` keeps every string as it was.
    @Test func getYAMLThenReplaceRoundTrips() throws {
        let f = try Fixture()
        defer { f.close() }
        let data = #"""
            {"blank": "line1\n\n\n", "lead": "  leading spaces", "colon": "a: b", "octal": "0400", "hex": "0x1F", "yes": "yes",
             "n": "n", "tilde": "~", "empty": "", "date": "2024-01-01", "exp": "1e3", "indented": "  first\nsecond\n",
             "trail": "trailing \nspace", "tab": "a\tb", "hash": "a #b", "keep": "x\n\n", "newline": "\n", "under": "1_000",
             "sexagesimal": "1:30", "quote": "it's \"q\"", "star": "*a", "dash": "- x", "null": "null",
             "long": "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss"}
            """#
        let cm = #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "tricky", "labels": {"n": "3"}}, "data": "# + data + "}"
        _ = try f.ctl.ok(["create", "-f", "-"], stdin: cm)
        let file = f.dir.path + "/tricky.yaml"
        try f.ctl.ok(["get", "cm", "tricky", "-o", "yaml"]).write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try f.ctl.ok(["replace", "-f", file]) == "configmap/tricky replaced\n")
        let got = try JSON.parse(try f.ctl.ok(["get", "cm", "tricky", "-o", "json"]))
        #expect(got["data"] == (try JSON.parse(data)))
        #expect(got["metadata"]["labels"] == ["n": "3"])
    }
}
