import Testing
@testable import Wire

@Suite struct JSONTests {
    @Test func roundTripKeepsOrderAndNumbers() throws {
        let text = #"{"b":1,"a":[true,false,null,0.5,1.0,-3e2],"s":"x\"y\\z\n\u00e9😀","o":{}}"#
        let j = try JSON.parse(text)
        #expect(j["b"] == .number("1"))
        #expect(j["a"].arrayValue?[3] == .number("0.5"))
        #expect(j["a"].arrayValue?[4] == .number("1.0"))
        #expect(j["s"].stringValue == "x\"y\\z\né😀")
        #expect(j.objectValue?.keys == ["b", "a", "s", "o"])
        let again = try JSON.parse(j.bytes())
        #expect(again == j)
    }

    @Test func stringEscapes() throws {
        var all = ""
        for c in 0..<0x80 { all.unicodeScalars.append(Unicode.Scalar(UInt8(c))) }
        all += "é😀 plain run \"q\" \\ end"
        var out: [UInt8] = []
        JSON.writeString(all, to: &out)
        #expect(try JSON.parse(out) == .string(all))
        var small: [UInt8] = []
        JSON.writeString("a\u{01}b\"c\\d\n\t\re", to: &small)
        #expect(String(decoding: small, as: UTF8.self) == #""a\u0001b\"c\\d\n\t\re""#)
        var nonASCII: [UInt8] = []
        JSON.writeString("nö \u{1F600} escapes", to: &nonASCII)
        #expect(String(decoding: nonASCII, as: UTF8.self) == "\"nö \u{1F600} escapes\"")
    }

    @Test(arguments: ["", "{", "{\"a\":}", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\u{01}\"", "tru", "{} x", "\"\\x\"", "\"\\ud800\""])
    func rejectsInvalid(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
        // PROTOCOL.md: every object and array is a level, the top-level object included;
        // 200 pass, 201 do not.
        func nested(_ levels: Int) -> String {
            "{\"a\":" + String(repeating: "[", count: levels - 1) + String(repeating: "]", count: levels - 1) + "}"
        }
        #expect(throws: Never.self) { try JSON.parse(nested(200)) }
        #expect(throws: JSONParseError.self) { try JSON.parse(nested(201)) }
    }

    @Test func duplicateKeysLastWins() throws {
        let j = try JSON.parse(#"{"a":1,"a":2}"#)
        #expect(j["a"] == .number("2"))
        #expect(j.objectValue?.count == 1)
    }

    @Test func settingNullRemoves() {
        var j: JSON = ["metadata": ["name": "x", "uid": "u"]]
        j[path: ["metadata", "uid"]] = .null
        #expect(j["metadata"].objectValue?.keys == ["name"])
        j[path: ["nothing", "here"]] = .null
        #expect(j["nothing"].isNull)
    }

    @Test func mergePatch() throws {
        let target = try JSON.parse(#"{"a":"b","c":{"d":"e","f":"g"},"l":[1,2]}"#)
        let patch = try JSON.parse(#"{"a":"z","c":{"f":null},"l":[3],"n":{"x":1}}"#)
        let out = target.applyingMergePatch(patch)
        #expect(out == (try JSON.parse(#"{"a":"z","c":{"d":"e"},"l":[3],"n":{"x":1}}"#)))
    }

    @Test func threeWayPatchIgnoresServerDefaults() throws {
        let original = try JSON.parse(#"{"spec":{"containers":[{"name":"c","image":"a"}]},"metadata":{"labels":{"x":"1","gone":"y"}}}"#)
        let modified = try JSON.parse(#"{"spec":{"containers":[{"name":"c","image":"a"}]},"metadata":{"labels":{"x":"1"}}}"#)
        let current = try JSON.parse(#"{"spec":{"containers":[{"name":"c","image":"a","imagePullPolicy":"Always"}],"restartPolicy":"Always"},"metadata":{"labels":{"x":"1","gone":"y"},"uid":"u"}}"#)
        let patch = JSON.threeWayMergePatch(original: original, modified: modified, current: current)
        #expect(patch == (try JSON.parse(#"{"metadata":{"labels":{"gone":null}}}"#)))
    }
}

@Suite struct DecoderTests {
    @Test func reportsUnknownFieldsWithPaths() throws {
        let pod = try JSON.parse(#"""
            {"apiVersion":"v1","kind":"Pod","bogus":1,"metadata":{"name":"p","labels":{"a":"b"},"extra":true},
             "spec":{"containers":[{"name":"c","image":"i","nope":1,"resources":{"limits":{"cpu":"1"}}}]}}
            """#)
        let r = try JSONValueDecoder.decode(Pod.self, from: pod)
        #expect(r.unknownFields.map(\.description).sorted() == ["bogus", "metadata.extra", "spec.containers[0].nope"])
        #expect(r.value.spec?.containers?.first?.resources?.limits?["cpu"] == Quantity("1"))
    }

    @Test func wrongTypeNamesTheField() throws {
        let pod = try JSON.parse(#"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","ports":[{"containerPort":"eighty"}]}]}}"#)
        do {
            _ = try JSONValueDecoder.decode(Pod.self, from: pod)
            Issue.record("expected a type error")
        } catch let e as DecodingError {
            guard case .typeMismatch(_, let c) = e else { Issue.record("wrong error \(e)"); return }
            #expect(JSONPath(codingPath: c.codingPath).description == "spec.containers[0].ports[0].containerPort")
        }
    }
}

@Suite struct SelectorTests {
    @Test func labelSelectorForms() throws {
        let s = try LabelSelector.parse("app=web, tier!=db,env in (a,b),team,!legacy,zone notin (z)")
        #expect(s.matches(["app": "web", "env": "a", "team": "x"]))
        #expect(!s.matches(["app": "web", "env": "c", "team": "x"]))
        #expect(!s.matches(["app": "web", "env": "a", "team": "x", "legacy": "1"]))
        #expect(!s.matches(["app": "web", "env": "a", "team": "x", "tier": "db"]))
        #expect(!s.matches(["app": "web", "env": "a", "team": "x", "zone": "z"]))
        #expect(!s.matches(["env": "a", "team": "x"]))
    }

    @Test(arguments: ["app=", "=x", "a in x", "a in (x", "a b", "a!x", "-bad=1", "a=b c"])
    func badLabelSelectors(_ text: String) {
        if text == "app=" { #expect((try? LabelSelector.parse(text)) != nil); return }  // empty value is valid
        #expect(throws: SelectorError.self) { try LabelSelector.parse(text) }
    }

    @Test func fieldSelector() throws {
        let f = try FieldSelector.parse("spec.nodeName=n1,status.phase!=Failed")
        #expect(f.matches { ["spec.nodeName": "n1", "status.phase": "Running"][$0] ?? "" })
        #expect(!f.matches { ["spec.nodeName": "n1", "status.phase": "Failed"][$0] ?? "" })
        #expect(throws: SelectorError.self) { try FieldSelector.parse("nonsense") }
    }
}

@Suite struct SmallThingsTests {
    @Test func timestamps() {
        #expect(Timestamp.format(0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.parse("2026-11-28T01:06:17Z") == 1795827977)
        #expect(Timestamp.parse("2026-11-28T02:06:17+01:00") == 1795827977)
        #expect(Timestamp.formatMicro(1.5) == "1970-01-01T00:00:01.500000Z")
        #expect(Timestamp.parse("nope") == nil)
    }

    @Test func durations() {
        #expect(Duration.seconds("40s") == 40)
        #expect(Duration.seconds("5m") == 300)
        #expect(Duration.seconds("1h30m") == 5400)
        #expect(Duration.seconds("250ms") == 0.25)
        #expect(Duration.seconds("7") == 7)
        #expect(Duration.seconds("5x") == nil)
    }

    @Test func quantities() {
        #expect(Quantities.value("500m") == 0.5)
        #expect(Quantities.value("64Mi") == 67_108_864.0)
        #expect(Quantities.value("1G") == 1e9)
        #expect(Quantities.value("abc") == nil)
    }

    @Test func hostPort() {
        #expect(HostPort("127.0.0.1:6443") == HostPort(host: "127.0.0.1", port: 6443))
        #expect(HostPort("[::1]:80") == HostPort(host: "::1", port: 80))
        #expect(HostPort("nohost") == nil)
        #expect(HostPort("h:99999") == nil)
    }

    @Test func versionNegotiation() {
        #expect(ProtocolVersion.negotiate(client: [1, 2, 3], server: [1, 2]) == 2)
        #expect(ProtocolVersion.negotiate(client: [5], server: [1]) == nil)
    }

    @Test func resourceNames() {
        #expect(ResourceType.resolve("po") == .pods)
        #expect(ResourceType.resolve("Pods") == .pods)
        #expect(ResourceType.resolve("replicaset.apps") == .replicaSets)
        #expect(ResourceType.resolve("leases.coordination.k8s.io") == .leases)
        #expect(ResourceType.resolve("deploy") == .deployments)
        #expect(ResourceType.resolve("pods.apps") == nil)
        #expect(ResourceType.replicaSets.nameType == "replicaset.apps")
    }
}
