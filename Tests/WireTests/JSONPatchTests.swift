import Testing
@testable import Wire

/// JSON patch (RFC 6902), with the examples of the RFC's appendix A.
struct JSONPatchTests {
    func j(_ text: String) throws -> JSON { try JSON.parse(text) }

    func patched(_ doc: String, _ patch: String) throws -> JSON { try j(doc).applyingJSONPatch(try j(patch)) }

    func failure(_ doc: String, _ patch: String) throws -> Status? {
        let (d, p) = (try j(doc), try j(patch))
        do throws(Status) { _ = try d.applyingJSONPatch(p); return nil } catch { return error }
    }

    @Test func appendixAExamples() throws {
        // A.1 to A.16 (A.13, a duplicate "op" member, is the parser's business).
        #expect(try patched(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#) == j(#"{"foo":"bar","baz":"qux"}"#))
        #expect(try patched(#"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#) == j(#"{"foo":["bar","qux","baz"]}"#))
        #expect(try patched(#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#) == j(#"{"foo":"bar"}"#))
        #expect(try patched(#"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#) == j(#"{"foo":["bar","baz"]}"#))
        #expect(try patched(#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#) == j(#"{"baz":"boo","foo":"bar"}"#))
        #expect(try patched(#"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
                            #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#)
                == j(#"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#))
        #expect(try patched(#"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#)
                == j(#"{"foo":["all","cows","eat","grass"]}"#))
        #expect(try patched(#"{"baz":"qux","foo":["a",2,"c"]}"#,
                            #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#)
                == j(#"{"baz":"qux","foo":["a",2,"c"]}"#))
        #expect(try failure(#"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#)?.message
                == #"request is invalid: json patch operation 0: test failed: the value at /baz is not "bar""#)
        #expect(try patched(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#)
                == j(#"{"foo":"bar","child":{"grandchild":{}}}"#))
        #expect(try patched(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#) == j(#"{"foo":"bar","baz":"qux"}"#))
        #expect(try failure(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#)?.message
                == #"request is invalid: json patch: no value at /baz: "baz" is missing"#)
        #expect(try patched(#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10}]"#) == j(#"{"/":9,"~1":10}"#))
        #expect(try failure(#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#)?.code == 422)
        #expect(try patched(#"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#) == j(#"{"foo":["bar",["abc","def"]]}"#))
    }

    @Test func copyEscapesAndWholeDocument() throws {
        #expect(try patched(#"{"a":{"b":1}}"#, #"[{"op":"copy","from":"/a","path":"/c"}]"#) == j(#"{"a":{"b":1},"c":{"b":1}}"#))
        #expect(try patched(#"{"a/b":1,"m~n":2}"#, #"[{"op":"remove","path":"/a~1b"},{"op":"replace","path":"/m~0n","value":3}]"#) == j(#"{"m~n":3}"#))
        #expect(try patched(#"{"a":1}"#, #"[{"op":"replace","path":"","value":[1]}]"#) == j(#"[1]"#))
        #expect(try patched(#"{"n":1.0}"#, #"[{"op":"test","path":"/n","value":1}]"#) == j(#"{"n":1.0}"#))
    }

    @Test func badPatchesAreRefusedAndNothingApplies() throws {
        let cases: [(String, Int, String)] = [
            (#"{"op":"add"}"#, 400, "a json patch must be a JSON array of operations, got object"),
            (#"[{"op":"frob","path":"/a"}]"#, 400, #"json patch operation 0: unknown op "frob"; supported: add, remove, replace, move, copy, test"#),
            (#"[{"op":"add","path":"a","value":1}]"#, 400, #"json patch operation 0: "a" is not a JSON pointer (it must start with /)"#),
            (#"[{"op":"add","path":"/a"}]"#, 400, #"json patch operation 0 has no "value""#),
            (#"[{"op":"remove","path":"/x~2"}]"#, 400, #"json patch operation 0: "~2" is not an escape in a JSON pointer (~0 or ~1)"#),
            (#"[{"op":"add","path":"/b","value":1},{"op":"remove","path":"/zz"}]"#, 422, #"request is invalid: json patch: no value at /zz: "zz" is missing"#),
            (#"[{"op":"replace","path":"/l/2","value":1}]"#, 422, #"request is invalid: json patch: no value at /l/2: index "2" is out of range"#),
            (#"[{"op":"add","path":"/l/01","value":1}]"#, 422, #"request is invalid: json patch: cannot add at /l/01: index "01" is out of range"#),
            (#"[{"op":"move","from":"/l","path":"/l/0"}]"#, 422, "request is invalid: json patch operation 0: cannot move /l into one of its own children"),
        ]
        for (patch, code, message) in cases {
            let s = try failure(#"{"a":1,"l":[1,2]}"#, patch)
            #expect(s?.code == code && s?.message == message, "\(patch): \(String(describing: s))")
        }
    }
}
