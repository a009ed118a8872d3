import Foundation
import Testing
import Wire

/// Input that used to crash ctl (exit by signal) gets a clear error and exit code 1.
@Suite(.serialized) struct CtlInputTrapTests {
    @Test func malformedAPIVersion() throws {
        let f = try Fixture()
        defer { f.close() }
        for v in ["/", "a/b/c", "apps/", "/v1"] {
            let doc = "apiVersion: \"\(v)\"\nkind: ConfigMap\nmetadata: {name: a}\n"
            for verb in ["apply", "create", "replace", "delete"] {
                let r = try f.ctl.run([verb, "-f", "-"], stdin: doc)
                #expect(r.code == 1 && r.stderr.contains("invalid apiVersion \"\(v)\": expected VERSION or GROUP/VERSION"), "\(verb) \(v): \(r.stderr)")
            }
        }
        #expect(try f.ctl.run(["get", "cm", "a"]).code == 1)
        let notObject = try f.ctl.run(["delete", "-f", "-"], stdin: "just text\n")
        #expect(notObject.code == 1 && notObject.stderr == "error: error validating \"STDIN\": the document is not an object\n")
    }

    @Test func emptyResourceTypes() throws {
        let f = try Fixture()
        defer { f.close() }
        for args in [["get", ""], ["get", ","], ["describe", ","], ["delete", ",", "--all"]] {
            let r = try f.ctl.run(args)
            #expect(r.code == 1 && r.stderr.contains("You must specify the type of resource"), "\(args): \(r.stderr)")
        }
    }
}
