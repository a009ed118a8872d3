import Foundation
import Testing
import Wire

/// `ctl get` output flags against a real apiserver; expected text is what kubectl v1.32
/// prints for the same objects.
@Suite(.serialized) struct CtlGetOutputTests {
    static let pods = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, labels: {app: web, tier: front}}
        spec: {containers: [{name: nginx, image: "nginx:1.27"}, {name: side, image: busybox}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db, labels: {app: db}}
        spec: {containers: [{name: pg, image: "postgres:16"}]}

        """

    /// Two pods, and a config map holding text that Go's JSON escapes.
    static func fixture() throws -> Fixture {
        let f = try Fixture()
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: pods)
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {b: '<x&y>', a: '1'}\n")
        return f
    }

    /// AGE cells (`0s`, `12s`) read as `0s`, padded to the same width, so rows compare
    /// literally whatever second the test ran in.
    static func maskAges(_ s: String) -> String {
        let re = try! NSRegularExpression(pattern: "(?<= )[0-9]+s(?= |$)", options: [.anchorsMatchLines])
        let out = NSMutableString(string: s)
        for m in re.matches(in: s, range: NSRange(location: 0, length: out.length)).reversed() {
            let end = m.range.location + m.range.length
            let atEnd = end == out.length || out.character(at: end) == 10
            out.replaceCharacters(in: m.range, with: "0s" + String(repeating: " ", count: atEnd ? 0 : m.range.length - 2))
        }
        return out as String
    }

    @Test func jsonpath() throws {
        let f = try Self.fixture()
        defer { f.close() }
        // A listing is a List, so {.items[*]...} works; names print space-separated.
        #expect(try f.ctl.ok(["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"]) == "db web")
        #expect(try f.ctl.ok(["get", "pods", "-o", #"jsonpath={range .items[*]}{.metadata.name}{"\t"}{.spec.containers[*].image}{"\n"}{end}"#])
            == "db\tpostgres:16\nweb\tnginx:1.27 busybox\n")
        // One object by name is the object itself.
        #expect(try f.ctl.ok(["get", "pod", "web", "-o", "jsonpath={.metadata.name}"]) == "web")
        #expect(try f.ctl.ok(["get", "pod/web", "-o", "jsonpath=name={.metadata.name} first={.spec.containers[0].name} last={.spec.containers[-1:].name}"])
            == "name=web first=nginx last=side")
        #expect(try f.ctl.ok(["get", "pods", "-o", #"jsonpath={.items[?(@.metadata.name=="db")].spec.containers[0].image}"#]) == "postgres:16")
        #expect(try f.ctl.ok(["get", "pods", "-o", #"jsonpath={.items[?(@.metadata.labels.tier)].metadata.name}"#]) == "web")
        #expect(try f.ctl.ok(["get", "pod", "web", "-o", "jsonpath={..image}"]) == "nginx:1.27 busybox")
        // Maps print as Go's json.Marshal: sorted keys, <>& escaped.
        #expect(try f.ctl.ok(["get", "cm", "cfg", "-o", "jsonpath={.data}"]) == #"{"a":"1","b":"\u003cx\u0026y\u003e"}"#)
        #expect(try f.ctl.ok(["get", "cm", "cfg", "-o", "jsonpath={.data.b}"]) == "<x&y>")
        // Missing keys print nothing.
        #expect(try f.ctl.ok(["get", "cm", "cfg", "-o", "jsonpath=[{.data.nope}]"]) == "[]")
        // Several kinds: one List.
        #expect(try f.ctl.ok(["get", "pods,cm", "-o", "jsonpath={.items[*].kind}"]) == "Pod Pod ConfigMap")
        // Nothing matched: the template runs on an empty List; no "No resources found".
        let none = try f.ctl.run(["get", "pods", "-n", "kube-system", "-o", "jsonpath={.kind}:{.items[*].metadata.name}"])
        #expect(none.code == 0 && none.stdout == "List:" && none.stderr.isEmpty)
        // A file holding the template.
        let file = f.dir.path + "/names.jsonpath"
        try #"{range .items[*]}{.metadata.name}{"\n"}{end}"#.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try f.ctl.ok(["get", "pods", "-o", "jsonpath-file=" + file]) == "db\nweb\n")
        // Errors as kubectl words them.
        let bad = try f.ctl.run(["get", "pods", "-o", "jsonpath={.items[5]}"])
        #expect(bad.code == 1 && bad.stdout.isEmpty)
        #expect(bad.stderr.hasPrefix("""
            error: error executing jsonpath "{.items[5]}": Error executing template: array index out of bounds: index 5, length 2. \
            Printing more information for debugging the template:
            \ttemplate was:
            \t\t{.items[5]}
            \tobject given to jsonpath engine was:
            """))
        let unclosed = try f.ctl.run(["get", "pods", "-o", "jsonpath={.items"])
        #expect(unclosed.code == 1 && unclosed.stderr == "error: error parsing jsonpath {.items, unclosed action\n")
        let noTemplate = try f.ctl.run(["get", "pods", "-o", "jsonpath"])
        #expect(noTemplate.code == 1 && noTemplate.stderr == "error: template format specified but no template given\n")
    }

    @Test func customColumns() throws {
        let f = try Self.fixture()
        defer { f.close() }
        #expect(try f.ctl.ok(["get", "pods", "-o", "custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image,NODE:.spec.nodeName"]) == """
            NAME   IMAGES               NODE
            db     postgres:16          <none>
            web    nginx:1.27,busybox   <none>

            """)
        // Relaxed paths: `metadata.name` and `{.metadata.name}` mean `.metadata.name`; columns are at least six wide.
        #expect(try f.ctl.ok(["get", "pods", "-o", "custom-columns=N:metadata.name,A:{.metadata.labels.app}", "--no-headers"]) == """
            db    db
            web   web

            """)
        let file = f.dir.path + "/cols"
        try "NAME          APP\n.metadata.name   .metadata.labels.app\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try f.ctl.ok(["get", "pods", "-o", "custom-columns-file=" + file]) == "NAME   APP\ndb     db\nweb    web\n")
        // Nothing matched: the header alone.
        #expect(try f.ctl.ok(["get", "pods", "-n", "kube-system", "-o", "custom-columns=NAME:.metadata.name"]) == "NAME\n")
        let bad = try f.ctl.run(["get", "pods", "-o", "custom-columns=NAME"])
        #expect(bad.code == 1 && bad.stderr == "error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>\n")
    }

    @Test func labelColumnsSortAndHeaders() throws {
        let f = try Self.fixture()
        defer { f.close() }
        #expect(Self.maskAges(try f.ctl.ok(["get", "pods", "--show-labels"])) == """
            NAME   READY   STATUS    RESTARTS   AGE   LABELS
            db     0/1     Pending   0          0s    app=db
            web    0/2     Pending   0          0s    app=web,tier=front

            """)
        // -L repeatable and comma-separated; the header is the key's last segment, upper-cased;
        // a missing label is an empty cell (kubectl's tabwriter still pads before it).
        #expect(Self.maskAges(try f.ctl.ok(["get", "pods", "-L", "app", "-L", "tier,example.com/zone"])) == """
            NAME   READY   STATUS    RESTARTS   AGE   APP   TIER    ZONE
            db     0/1     Pending   0          0s    db            \("")
            web    0/2     Pending   0          0s    web   front   \("")

            """)
        #expect(Self.maskAges(try f.ctl.ok(["get", "pods", "--no-headers", "--show-labels"])) == """
            db    0/1   Pending   0     0s    app=db
            web   0/2   Pending   0     0s    app=web,tier=front

            """)
        // --sort-by: strings in natural order, numbers and quantities by value.
        for (name, n, q) in [("b10", "10", "2Gi"), ("b9", "9", "100Mi"), ("a", "100", "1")] {
            _ = try f.ctl.ok(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \(name)}\ndata: {num: '\(n)', q: '\(q)'}\n")
        }
        #expect(try f.ctl.ok(["get", "cm", "--sort-by=.metadata.name", "-o", "name"]) == "configmap/a\nconfigmap/b9\nconfigmap/b10\nconfigmap/cfg\n")
        // Objects without the field come first.
        #expect(try f.ctl.ok(["get", "cm", "--sort-by={.data.num}", "-o", "name"]) == "configmap/cfg\nconfigmap/b9\nconfigmap/b10\nconfigmap/a\n")
        #expect(try f.ctl.ok(["get", "cm", "--sort-by", "data.q", "-o", "custom-columns=NAME:.metadata.name,Q:.data.q", "--no-headers"]) == """
            cfg   <none>
            a     1
            b9    100Mi
            b10   2Gi

            """)
        let missing = try f.ctl.run(["get", "cm", "--sort-by=.spec.nope"])
        #expect(missing.code == 1 && missing.stderr == "error: couldn't find any field with path \"{.spec.nope}\" in the list of objects\n")
    }

    @Test func getAllAndSeveralKinds() throws {
        let f = try Self.fixture()
        defer { f.close() }
        // `all` is kubectl's category; of its kinds this server serves pods. Names are TYPE/NAME.
        #expect(Self.maskAges(try f.ctl.ok(["get", "all"])) == """
            NAME      READY   STATUS    RESTARTS   AGE
            pod/db    0/1     Pending   0          0s
            pod/web   0/2     Pending   0          0s

            """)
        // Sections for several kinds, a blank line between them.
        #expect(Self.maskAges(try f.ctl.ok(["get", "pods,cm"])) == """
            NAME      READY   STATUS    RESTARTS   AGE
            pod/db    0/1     Pending   0          0s
            pod/web   0/2     Pending   0          0s

            NAME            DATA   AGE
            configmap/cfg   2      0s

            """)
        #expect(try f.ctl.ok(["get", "all", "-o", "name"]) == "pod/db\npod/web\n")
        let empty = try f.ctl.run(["get", "all", "-n", "kube-system"])
        #expect(empty.code == 0 && empty.stdout.isEmpty && empty.stderr == "No resources found in kube-system namespace.\n")
    }
}
