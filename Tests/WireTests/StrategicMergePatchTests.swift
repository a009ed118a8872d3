import Testing
@testable import Wire

/// Strategic merge patch with Kubernetes' merge keys for the kinds Skiff serves.
struct StrategicMergePatchTests {
    func j(_ text: String) throws -> JSON { try JSON.parse(text) }
    func patched(_ doc: String, _ patch: String) throws -> JSON { try j(doc).applyingStrategicMergePatch(try j(patch)) }

    let pod = #"""
    {"metadata":{"name":"p","labels":{"a":"1"},"finalizers":["x"]},
     "spec":{"containers":[
        {"name":"web","image":"nginx:1","ports":[{"containerPort":80,"name":"http"}],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
         "volumeMounts":[{"name":"data","mountPath":"/data"}]},
        {"name":"side","image":"busybox","args":["sleep","1"]}],
      "volumes":[{"name":"data","emptyDir":{}}],
      "tolerations":[{"key":"k1","operator":"Exists"}]}}
    """#

    @Test func listsMergeByTheirKeys() throws {
        let out = try patched(pod, #"""
        {"spec":{"containers":[{"name":"web","image":"nginx:2","ports":[{"containerPort":443,"name":"https"}],
                                "env":[{"name":"B","value":"two"},{"name":"C","value":"3"}],"volumeMounts":[{"mountPath":"/data","readOnly":true}]},
                               {"name":"new","image":"alpine"}]}}
        """#)
        #expect(out["spec"]["containers"] == (try j(#"""
        [{"name":"web","image":"nginx:2","ports":[{"containerPort":80,"name":"http"},{"containerPort":443,"name":"https"}],
          "env":[{"name":"A","value":"1"},{"name":"B","value":"two"},{"name":"C","value":"3"}],
          "volumeMounts":[{"name":"data","mountPath":"/data","readOnly":true}]},
         {"name":"side","image":"busybox","args":["sleep","1"]},
         {"name":"new","image":"alpine"}]
        """#)))
        #expect(out["spec"]["volumes"] == (try j(#"[{"name":"data","emptyDir":{}}]"#)))
    }

    @Test func listsWithoutAKeyAreReplaced() throws {
        let out = try patched(pod, #"{"spec":{"tolerations":[{"key":"k2","operator":"Exists"}],"containers":[{"name":"side","args":["sleep","2"]}]}}"#)
        #expect(out["spec"]["tolerations"] == (try j(#"[{"key":"k2","operator":"Exists"}]"#)))
        #expect(out["spec"]["containers"].arrayValue?[1] == (try j(#"{"name":"side","image":"busybox","args":["sleep","2"]}"#)))
        // finalizers merge as a set.
        #expect(try patched(pod, #"{"metadata":{"finalizers":["y","x"]}}"#)["metadata"]["finalizers"] == (try j(#"["x","y"]"#)))
    }

    @Test func directives() throws {
        let deleted = try patched(pod, #"{"spec":{"containers":[{"name":"side","$patch":"delete"}],"volumes":[{"name":"data","$patch":"delete"}]}}"#)
        #expect(deleted["spec"]["containers"].arrayValue?.compactMap { $0["name"].stringValue } == ["web"])
        #expect(deleted["spec"]["volumes"] == (try j("[]")))
        let replacedMap = try patched(pod, #"{"metadata":{"labels":{"b":"2","$patch":"replace"}}}"#)
        #expect(replacedMap["metadata"]["labels"] == (try j(#"{"b":"2"}"#)))
        let deletedMap = try patched(pod, #"{"metadata":{"labels":{"$patch":"delete"}}}"#)
        #expect(deletedMap["metadata"]["labels"].isNull && deletedMap["metadata"]["name"] == "p")
        let replacedList = try patched(pod, #"{"spec":{"volumes":[{"name":"other","hostPath":{"path":"/x"}},{"$patch":"replace"}]}}"#)
        #expect(replacedList["spec"]["volumes"] == (try j(#"[{"name":"other","hostPath":{"path":"/x"}}]"#)))
        let removedFinalizer = try patched(pod, #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["x"]}}"#)
        #expect(removedFinalizer["metadata"]["finalizers"] == (try j("[]")))
        #expect(try patched(pod, #"{"metadata":{"labels":{"a":null}}}"#)["metadata"]["labels"] == (try j("{}")))
    }

    /// `$setElementOrder/F`: the named items in the directive's order; an item only the
    /// server has goes before a named one only where the live list had it so.
    @Test func setElementOrderOrdersTheMergedList() throws {
        let live = #"{"status":{"conditions":[{"type":"PodScheduled","status":"True"},{"type":"DisruptionTarget","status":"True"}]}}"#
        let out = try patched(live, #"""
        {"status":{"conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"False"}],
                   "$setElementOrder/conditions":[{"type":"Initialized"},{"type":"Ready"},{"type":"PodScheduled"}]}}
        """#)
        #expect(out["status"]["conditions"] == (try j(#"""
        [{"type":"Initialized","status":"True"},{"type":"Ready","status":"False"},{"type":"PodScheduled","status":"True"},
         {"type":"DisruptionTarget","status":"True"}]
        """#)))
        // A server-only item listed before a named one in the live list stays before it.
        let live2 = #"{"status":{"conditions":[{"type":"A","status":"1"},{"type":"B","status":"1"},{"type":"C","status":"1"}]}}"#
        let out2 = try patched(live2, #"{"status":{"conditions":[{"type":"C","status":"2"}],"$setElementOrder/conditions":[{"type":"C"},{"type":"B"}]}}"#)
        #expect(out2["status"]["conditions"] == (try j(#"[{"type":"A","status":"1"},{"type":"C","status":"2"},{"type":"B","status":"1"}]"#)))
        // finalizers (a set list): by value.
        let out3 = try patched(pod, #"{"metadata":{"finalizers":["y"],"$setElementOrder/finalizers":["y","x"]}}"#)
        #expect(out3["metadata"]["finalizers"] == (try j(#"["y","x"]"#)))
    }

    @Test func badPatchesAreRefused() throws {
        for (patch, message) in [
            (#"[1]"#, "a strategic merge patch must be a JSON object, got array"),
            (#"{"metadata":{"$patch":"frob"}}"#, #"strategic merge patch: unknown $patch directive "frob"; supported: replace, delete, merge"#),
            (#"{"spec":{"containers":[{"image":"x"}]}}"#, "strategic merge patch: an item of containers has no name, its merge key"),
        ] {
            var message2: String?
            let (d, p) = (try j(pod), try j(patch))
            do throws(Status) { _ = try d.applyingStrategicMergePatch(p) } catch { message2 = error.message }
            #expect(message2 == message)
        }
    }
}
