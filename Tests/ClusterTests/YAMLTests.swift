import Foundation
import Testing
import Wire
@testable import ctl

/// ctl's YAML reader and printer against what Kubernetes' reader (sigs.k8s.io/yaml on
/// go-yaml v2, YAML 1.1) makes of the same text.
@Suite struct YAMLTests {
    static func read(_ text: String) throws -> JSON {
        let docs = try YAMLInput.documents(text)
        #expect(docs.count == 1)
        return docs.first ?? .null
    }

    @Test func plainScalarsAreTypedBlockAndFlow() throws {
        let block = """
            port: 80
            replicas: 3
            negative: -12
            big: 18446744073709551615
            flag: false
            yes1: yes
            off1: Off
            y1: y
            nothing: ~
            empty:
            nul: null
            text: hello
            quoted: "80"
            single: 'true'
            tagged: !!str 30
            taggedInt: !!int "30"
            date: 2024-01-01
            time: 12:30
            """
        let want = try JSON.parse("""
            {"port": 80, "replicas": 3, "negative": -12, "big": 18446744073709551615, "flag": false, "yes1": true,
             "off1": false, "y1": true, "nothing": null, "empty": null, "nul": null, "text": "hello", "quoted": "80",
             "single": "true", "tagged": "30", "taggedInt": 30, "date": "2024-01-01", "time": "12:30"}
            """)
        #expect(try Self.read(block) == want)
        let flow = "{port: 80, replicas: 3, negative: -12, big: 18446744073709551615, flag: false, yes1: yes, off1: Off, y1: y, nothing: ~, empty: , nul: null, text: hello, quoted: \"80\", single: 'true', tagged: !!str 30, taggedInt: !!int \"30\", date: 2024-01-01, time: 12:30}"
        #expect(try Self.read(flow) == want)
        #expect(try Self.read("[1, two, 3.5, on, ~]") == JSON.parse(#"[1, "two", 3.5, true, null]"#))
    }

    /// YAML 1.1 integers as Go's ParseInt(s, 0, 64) reads them once `_` is removed.
    @Test func yaml11Integers() throws {
        let doc = try Self.read("a: 0400\nb: 0x1F\nc: 0o17\nd: 1_000\ne: 0b101\nf: -0x10\ng: +7\nh: 09\ni: 0\nj: -0\nk: 0x\n")
        #expect(doc == (try JSON.parse(#"{"a": 256, "b": 31, "c": 15, "d": 1000, "e": 5, "f": -16, "g": 7, "h": 9, "i": 0, "j": 0, "k": "0x"}"#)))
    }

    /// Floats as Go's encoding/json writes a float64; what JSON cannot carry is an error.
    @Test func floats() throws {
        let doc = try Self.read("a: 0.5\nb: 1.0\nc: 1e3\nd: .5\ne: -1.5e-7\nf: 1e21\ng: 1e400\nh: 12.50\ni: 1.\nj: ._5\n")
        #expect(doc == (try JSON.parse(#"{"a": 0.5, "b": 1, "c": 1000, "d": 0.5, "e": -1.5e-7, "f": 1e+21, "g": "1e400", "h": 12.5, "i": 1, "j": "._5"}"#)))
        #expect(throws: YAMLInput.Failure.self) { try YAMLInput.documents("a: .inf\n") }
        #expect(throws: YAMLInput.Failure.self) { try YAMLInput.documents("a: .nan\n") }
        #expect(throws: YAMLInput.Failure.self) { try YAMLInput.documents("a: !!int abc\n") }
    }

    /// Keys are typed too, then written as JSON keys: `1:` is "1", `yes:` is "true".
    @Test func keysMergesAndAnchors() throws {
        #expect(try Self.read("1: a\nyes: b\n'no': c\n0x10: d\n") == (try JSON.parse(#"{"1": "a", "true": "b", "no": "c", "16": "d"}"#)))
        #expect(throws: YAMLInput.Failure.self) { try YAMLInput.documents("~: a\n") }
        let merged = try Self.read("base: &b {a: 1, b: 2}\nuse:\n  <<: *b\n  b: 3\n")
        #expect(merged == (try JSON.parse(#"{"base": {"a": 1, "b": 2}, "use": {"b": 3, "a": 1}}"#)))
        // As in Kubernetes, `y` is YAML 1.1's true, also as a key.
        #expect(try Self.read("{x: 1, y: 2}") == (try JSON.parse(#"{"x": 1, "true": 2}"#)))
    }

    /// kubectl skips documents that are empty or only comments.
    @Test func emptyDocumentsAreSkipped() throws {
        #expect(try YAMLInput.documents("a: 1\n---\n").count == 1)
        #expect(try YAMLInput.documents("---\n---\n").isEmpty)
        #expect(try YAMLInput.documents("# only a comment\n---\na: 1\n---\n# another\n").count == 1)
        #expect(try YAMLInput.documents("").isEmpty)
    }

    /// A syntax error anywhere fails the whole text, not just the documents after it.
    @Test func syntaxErrorsAreNotDroppedDocuments() {
        #expect(throws: (any Error).self) { try YAMLInput.documents("a: 1\n---\nb: {c: 2\n") }
        #expect(throws: (any Error).self) { try YAMLInput.documents("a: [1, 2\n") }
        #expect(throws: (any Error).self) { try YAMLInput.documents("a: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)) }
    }

    /// The config file's values are text, however numeric they look.
    @Test func configFileKeepsText() throws {
        let dir = TempDir("ctl-config")
        defer { dir.remove() }
        let path = dir.path + "/config"
        try "server: 127.0.0.1:6443\ntoken: 0x1F\nnamespace: 0400\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try ConfigFile.load(env: ["SKIFF_CONFIG": path]) == ["server": "127.0.0.1:6443", "token": "0x1F", "namespace": "0400"])
        try "token: 1e3\nnamespace: yes\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try ConfigFile.load(env: ["SKIFF_CONFIG": path]) == ["token": "1e3", "namespace": "yes"])
    }

    /// kubectl's layout: sorted keys, lists at their key's indentation, kubectl's quoting.
    @Test func printsLikeKubectl() {
        let obj: JSON = ["kind": "Pod", "metadata": ["name": "web", "labels": ["n": "3"]],
                         "spec": ["containers": [["name": "c", "ports": [["containerPort": .int(80)]], "args": ["yes", "a: b", ""]]],
                                  "enabled": true, "none": .null, "empty": [:], "list": []]]
        #expect(YAMLOutput.render(obj) == """
            kind: Pod
            metadata:
              labels:
                "n": "3"
              name: web
            spec:
              containers:
              - args:
                - "yes"
                - 'a: b'
                - ""
                name: c
                ports:
                - containerPort: 80
              empty: {}
              enabled: true
              list: []
              none: null

            """)
    }

    /// Whatever the strings hold, the printed YAML reads back as the same object.
    @Test func printedYAMLReadsBack() throws {
        let values = ["line1\n\n\n", "  leading spaces", "a: b", "0400", "0x1F", "yes", "y", "N", "~", "", "2024-01-01",
                      "1e3", "-.5", "  indented\nnext\n", "trailing \nspace", "a\tb", "a #b", "\n", "x\n\n", "1_000", "1:30",
                      "it's \"q\"", "*a", "&a", "- x", "?", "null", "héllo ☃", "bell\u{7}", "#c", "[a]", "{a}", "@x", "%x",
                      "!x", "|", ">", "a\u{85}b", "-", ".inf", "+12", "0b11", String(repeating: "word ", count: 40)]
        var data = JSONObject()
        for (i, v) in values.enumerated() { data["k\(i)"] = .string(v) }
        data["80"] = "key that looks like a number"
        data["true"] = "key that looks like a bool"
        let obj: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "data": .object(data), "n": .int(5), "f": .number("0.25")]
        let text = YAMLOutput.render(obj)
        let back = try Self.read(text)
        #expect(back == obj, "\(text)")
    }
}
