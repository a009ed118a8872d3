import Testing
@testable import Wire

@Suite struct SchemaTests {
    static let pod = #"""
        {"apiVersion":"v1","kind":"Pod","bogus":1,
         "metadata":{"name":"p","labels":{"a":"b"},"extra":true,"ownerReferences":[{"apiVersion":"v1","kind":"X","name":"n","uid":"u","zzz":1}]},
         "spec":{"containers":[{"name":"c","image":"i","nope":1,"resources":{"limits":{"cpu":"1","memory":2}},
                                "ports":[{"containerPort":80,"name":"http"}],"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"x","q":1}}}],
                                "livenessProbe":{"httpGet":{"port":"http","path":"/"}}}],
                 "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"k","operator":"In","values":["v"],"w":0}]}]}}},
                 "tolerations":[{"key":"k","operator":"Exists"}],"topologySpreadConstraints":[{"anything":"goes"}]},
         "status":{"phase":"Pending","containerStatuses":[{"name":"c","ready":false,"restartCount":0,"image":"i","imageID":"","junk":[]}]}}
        """#

    @Test func walkerFindsWhatTheDecoderFinds() throws {
        let j = try JSON.parse(Self.pod)
        let byDecoder = try JSONValueDecoder.decode(Pod.self, from: j).unknownFields.map(\.description).sorted()
        let byWalker = try SchemaWalker.unknownFields(in: j, schema: SchemaProbe.schema(for: Pod.self)).map(\.description).sorted()
        #expect(byWalker == byDecoder)
        #expect(byWalker == ["bogus", "metadata.extra", "metadata.ownerReferences[0].zzz",
                             "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].w",
                             "spec.containers[0].env[0].valueFrom.fieldRef.q", "spec.containers[0].nope", "status.containerStatuses[0].junk"])
    }

    @Test func walkerReportsWrongTypesAndMissingRequiredFields() throws {
        let schema = SchemaProbe.schema(for: Pod.self)
        func error(_ text: String) -> String {
            do {
                _ = try SchemaWalker.unknownFields(in: try JSON.parse(text), schema: schema)
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(error(#"{"spec":{"containers":"x"}}"#) == "spec.containers: expected array, got string")
        #expect(error(#"{"spec":{"containers":[{"image":"i"}]}}"#) == "spec.containers[0].name: Required value")
        #expect(error(#"{"spec":{"containers":[{"name":"c","ports":[{"containerPort":"80"}]}]}}"#) == "spec.containers[0].ports[0].containerPort: expected integer, got string")
        #expect(error(#"{"spec":{"containers":[{"name":"c","ports":[{"containerPort":1.5}]}]}}"#).contains("not an integer"))
        #expect(error(#"{"metadata":{"labels":{"a":1}}}"#) == "metadata.labels.a: expected string, got number")
        #expect(error(#"{"spec":{"overhead":{"cpu":1}},"metadata":{"name":null}}"#) == "no error")
    }
}
