import Testing
import Wire
@testable import ctl

/// ctl's printers and manifest reader against what kubectl 1.32 does with the same input.
@Suite struct PrinterTests {
    @Test(arguments: [("True", false, "Ready"), ("False", false, "NotReady"), ("Unknown", false, "NotReady"),
                      (nil, false, "Unknown"), ("True", true, "Ready,SchedulingDisabled"), ("Unknown", true, "NotReady,SchedulingDisabled")])
    func nodeStatusColumn(ready: String?, cordoned: Bool, expected: String) {
        var node: JSON = ["metadata": ["name": "n1", "labels": ["node-role.kubernetes.io/control-plane": ""]]]
        if let ready { node[path: ["status", "conditions"]] = [["type": "Ready", "status": .string(ready)]] }
        if cordoned { node[path: ["spec", "unschedulable"]] = true }
        let row = Columns.nodeRow(node, name: "n1", age: "1m", wide: false)
        #expect(row[1] == expected)
        #expect(row[2] == "control-plane")
    }

    @Test func describeTimesAsKubectl() {
        #expect(Describer.date("2026-11-28T09:24:22Z") == "Sat, 28 Nov 2026 09:24:22 +0000")
        #expect(Describer.date("2026-01-05T00:00:00.123456Z") == "Mon, 05 Jan 2026 00:00:00 +0000")
        #expect(Describer.date(.null) == "<unset>")
    }

    /// As Go's tabwriter: columns align within runs of lines that have them; a line
    /// without tabs starts a new run.
    @Test func tabWriterAlignsBlocks() {
        let out = TabWriter.render(["Name:\tsolo", "CreationTimestamp:\tnow", "\tmore", "Lease:", "  HolderIdentity:\tsolo",
                                    "  RenewTime:\tthen", "Conditions:", "  Type\tStatus\tReason", "  Ready\tTrue\tKubeletReady"])
        #expect(out == """
            Name:               solo
            CreationTimestamp:  now
                                more
            Lease:
              HolderIdentity:  solo
              RenewTime:       then
            Conditions:
              Type   Status  Reason
              Ready  True    KubeletReady

            """)
    }

    /// kubectl reads a file of concatenated JSON objects as several documents.
    @Test func manifestJSONStream() throws {
        let docs = try YAMLInput.documents(#"{"kind":"ConfigMap","metadata":{"name":"a"}}  {"kind":"ConfigMap","metadata":{"name":"b"}}"#)
        #expect(docs.map { $0["metadata"]["name"].stringValue } == ["a", "b"])
        #expect(try YAMLInput.documents(#"{"kind": "ConfigMap"}"#).count == 1)
        #expect(try YAMLInput.documents("{kind: ConfigMap, metadata: {name: flow}}")[0]["metadata"]["name"] == "flow")
    }
}
