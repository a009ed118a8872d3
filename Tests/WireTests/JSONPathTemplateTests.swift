import Testing
import Wire

/// kubectl's JSONPath: each expected string is what `kubectl get -o jsonpath=...` prints
/// for the same document.
struct JSONPathTemplateTests {
    static let doc: JSON = try! JSON.parse("""
        {"kind": "List", "items": [
          {"metadata": {"name": "a", "annotations": {"example.com/x.y": "dotted"}}, "spec": {"replicas": 3, "ports": [80, 443]}},
          {"metadata": {"name": "b"}, "spec": {"replicas": 1, "ports": [8080]}},
          {"metadata": {"name": "c"}, "spec": {"replicas": 10, "ports": []}, "ok": true}
        ]}
        """)

    func run(_ template: String, _ data: JSON = doc) throws -> String { try JSONPathTemplate(template).execute(data) }

    @Test func pathsAndSlices() throws {
        #expect(try run("{.items[*].metadata.name}") == "a b c")
        #expect(try run("{.items[0].metadata.name}") == "a")
        #expect(try run("{.items[-1].metadata.name}") == "c")
        #expect(try run("{.items[-2:].metadata.name}") == "b c")
        #expect(try run("{.items[0:3:2].metadata.name}") == "a c")
        #expect(try run("{.items[1:1].metadata.name}") == "")
        #expect(try run("{.items[0,2].metadata.name}") == "a c")
        #expect(try run("{.items[0].metadata['name']}") == "a")
        #expect(try run("{$.kind} {@.kind}") == "List List")
        #expect(try run(#"{.items[0].metadata.annotations.example\.com/x\.y}"#) == "dotted")
        #expect(try run("{.items[0].spec.*}") == "[80,443] 3")
        #expect(try run("{.items[2].ok} {.items[0].spec.ports}") == "true [80,443]")
        #expect(try run("{.items[1]..ports}") == "[8080]")
        #expect(try run("{..name}") == "a b c")
    }

    @Test func filtersAndRanges() throws {
        #expect(try run("{.items[?(@.spec.replicas>2)].metadata.name}") == "a c")
        #expect(try run("{.items[?(@.spec.replicas == 1)].metadata.name}") == "b")
        #expect(try run("{.items[?(@.metadata.name!='a')].metadata.name}") == "b c")
        #expect(try run("{.items[?(@.ok)].metadata.name}") == "c")
        #expect(try run(#"{range .items[*]}{.metadata.name}:{range .spec.ports[*]}[{@}]{end}{"\n"}{end}"#) == "a:[80][443]\nb:[8080]\nc:\n")
    }

    @Test func errors() {
        #expect(throws: JSONPathError.self) { try JSONPathTemplate("{.items") }
        #expect(throws: JSONPathError.self) { try JSONPathTemplate("{range .items[*]}{.a}") }
        #expect(throws: JSONPathError.self) { try JSONPathTemplate("{end}") }
        #expect(throws: JSONPathError.self) { try JSONPathTemplate("{.items[x]}") }
        do {
            _ = try run("{.items[3]}")
            Issue.record("expected an error")
        } catch let error as JSONPathError {
            #expect(error.message == "array index out of bounds: index 3, length 3")
        } catch {
            Issue.record("unexpected \(error)")
        }
        do {
            _ = try run("{.kind[?(@.a)]}")
            Issue.record("expected an error")
        } catch let error as JSONPathError {
            #expect(error.message == "\"List\" is not array or slice and cannot be filtered")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func relaxedExpressions() throws {
        let item = Self.doc["items"].arrayValue![0]
        for e in [".metadata.name", "metadata.name", "{.metadata.name}", "{metadata.name}"] {
            #expect(try JSONPathTemplate.relaxed(e).results(item) == [[JSON.string("a")]], "\(e)")
        }
        #expect(throws: JSONPathError.self) { try JSONPathTemplate.relaxed("") }
    }
}
