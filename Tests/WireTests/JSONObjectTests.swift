import Testing
@testable import Wire

/// JSONObject keeps member order while looking keys up by hash.
@Suite struct JSONObjectTests {
    @Test func duplicateKeysKeepFirstPositionAndLastValue() throws {
        let j = try JSON.parse(#"{"z":1,"a":2,"m":3,"a":4,"k":5,"l":6,"n":7,"o":8,"p":9,"z":10}"#)
        #expect(j.objectValue?.keys == ["z", "a", "m", "k", "l", "n", "o", "p"])
        #expect(j["a"] == .number("4"))
        #expect(j["z"] == .number("10"))
        #expect(String(decoding: j.bytes(), as: UTF8.self) == #"{"z":10,"a":4,"m":3,"k":5,"l":6,"n":7,"o":8,"p":9}"#)
    }

    @Test func removingAndSettingKeepOrder() {
        var o = JSONObject([("c", 1), ("b", 2), ("a", 3)])
        o["b"] = nil
        o["c"] = 9
        o["d"] = 4
        #expect(o.keys == ["c", "a", "d"])
        #expect(o.entries.map(\.key) == ["c", "a", "d"])
        #expect(Array(o).map(\.value) == [9, 3, 4])
        #expect(o == JSONObject([("d", 4), ("a", 3), ("c", 9)]))
        #expect(o != JSONObject([("d", 4), ("a", 3), ("c", 8)]))
    }

    @Test func objectWithManyMembersParsesPatchesAndCompares() throws {
        var text = #"{"metadata":{"name":"n","labels":{"#
        for i in 0..<200_000 { text += (i == 0 ? "" : ",") + #""k\#(i)":"v""# }
        text += "}}}"
        let j = try JSON.parse(text)
        #expect(j["metadata"]["labels"].objectValue?.count == 200_000)
        #expect(j["metadata"]["labels"].objectValue?.keys.last == "k199999")
        let patched = j.applyingMergePatch(["metadata": ["labels": ["k5": .null, "k199999": "w", "new": "x"]]])
        let labels = patched["metadata"]["labels"].objectValue!
        #expect(labels.count == 200_000)
        #expect(labels["k5"] == nil)
        #expect(labels["k199999"] == "w")
        #expect(labels.keys.last == "new")
        #expect(patched != j)
        #expect(try JSON.parse(j.bytes()) == j)
    }
}
