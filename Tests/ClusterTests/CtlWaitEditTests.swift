import Foundation
import Testing
import Wire

/// `wait` and `edit` against a real apiserver; expected text is what kubectl v1.32 prints.
@Suite(.serialized) struct CtlWaitEditTests {
    let statusReady = "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}"

    @Test func waitForConditionJSONPathAndDelete() throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["apply", "-f", manifestsDir + "/pods/pod-nginx.yaml"])
        // The condition arrives while ctl watches.
        let ctl = f.ctl, patch = statusReady
        // A merge patch replaces the conditions, so Ready is first whenever the scheduler
        // (no nodes here) writes its PodScheduled=False: before (replaced, then re-added
        // after Ready) or after.
        let later = Thread { Thread.sleep(forTimeInterval: 0.5); _ = try? ctl.run(["patch", "pod", "nginx", "--subresource", "status", "--type", "merge", "-p", patch]) }
        later.start()
        #expect(try f.ctl.ok(["wait", "--for=condition=Ready", "pod/nginx", "--timeout=20s"]) == "pod/nginx condition met\n")
        // Names compare without case; the value defaults to true.
        #expect(try f.ctl.ok(["wait", "--for=condition=ready=TRUE", "pod", "nginx"]) == "pod/nginx condition met\n")
        #expect(try f.ctl.ok(["wait", "--for=jsonpath={.status.conditions[0].status}=True", "pods", "-l", "env=test"]) == "pod/nginx condition met\n")
        #expect(try f.ctl.ok(["wait", "--for=jsonpath={.spec.nodeSelector.disktype}", "pods", "--all"]) == "pod/nginx condition met\n")
        let late = try f.ctl.run(["wait", "--for=condition=Ready=false", "pod/nginx", "--timeout=1s"])
        #expect(late.code == 1 && late.stdout.isEmpty && late.stderr == "error: timed out waiting for the condition on pods/nginx\n")
        let gone = try f.ctl.run(["wait", "--for=delete", "pod/nginx", "--timeout=500ms"])
        #expect(gone.code == 1 && gone.stderr == "error: timed out waiting for the condition on pods/nginx\n")
        let deleter = Thread { Thread.sleep(forTimeInterval: 0.5); _ = try? ctl.run(["delete", "pod", "nginx"]) }
        deleter.start()
        #expect(try f.ctl.ok(["wait", "--for=delete", "pod/nginx", "--timeout=20s"]) == "pod/nginx condition met\n")
        let missing = try f.ctl.run(["wait", "--for=condition=Ready", "pod/nginx"])
        #expect(missing.code == 1 && missing.stderr == "Error from server (NotFound): pods \"nginx\" not found\n")
        let none = try f.ctl.run(["wait", "--for=delete", "pods", "--all"])
        #expect(none.code == 1 && none.stderr == "error: no matching resources found\n")
        let bad = try f.ctl.run(["wait", "--for=ready", "pod/nginx"])
        #expect(bad.code == 1 && bad.stderr == "error: unrecognized condition: \"ready\"\n")
    }

    /// Writes an editor script; `$n` in `body` is how many times it ran before.
    func editor(_ f: Fixture, _ body: String) throws -> String {
        let path = f.dir.path + "/editor-\(UUID().uuidString.prefix(6)).sh"
        let script = "#!/bin/sh\ncount=\(path).count\nn=$(cat \"$count\" 2>/dev/null || echo 0)\necho $((n + 1)) > \"$count\"\n\(body)\n"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    @Test func editSavesUnchangedCancelsEmptiedCancels() throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["create", "configmap", "e1", "--from-literal=a=1"])
        let change = try editor(f, "sed -i 's/a: \"1\"/a: \"2\"/' \"$1\"")
        let r = try f.ctl.run(["edit", "cm", "e1"], env: ["KUBE_EDITOR": change])
        #expect(r.code == 0 && r.stdout == "configmap/e1 edited\n" && r.stderr.isEmpty)
        #expect(try JSON.parse(try f.ctl.ok(["get", "cm", "e1", "-o", "json"]))["data"] == ["a": "2"])
        // $EDITOR when KUBE_EDITOR is unset, run through sh -c so it may carry arguments.
        let args = try editor(f, "sed -i \"s/a: \\\"2\\\"/a: $2/\" \"$3\"")
        let e = try f.ctl.run(["edit", "configmap/e1"], env: ["EDITOR": "\(args) -x three"])
        #expect(e.stdout == "configmap/e1 edited\n")
        #expect(try JSON.parse(try f.ctl.ok(["get", "cm", "e1", "-o", "json"]))["data"] == ["a": "three"])
        let same = try f.ctl.run(["edit", "cm", "e1"], env: ["KUBE_EDITOR": "true"])
        #expect(same.code == 0 && same.stdout.isEmpty && same.stderr == "Edit cancelled, no changes made.\n")
        let empty = try f.ctl.run(["edit", "cm", "e1"], env: ["KUBE_EDITOR": "truncate -s 0"])
        #expect(empty.code == 0 && empty.stderr == "Edit cancelled, saved file was empty.\n")
        let broken = try f.ctl.run(["edit", "cm", "e1"], env: ["KUBE_EDITOR": "false"])
        #expect(broken.code == 1 && broken.stderr == "error: there was a problem with the editor \"false\"\n")
        #expect(try JSON.parse(try f.ctl.ok(["get", "cm", "e1", "-o", "json"]))["data"] == ["a": "three"])
    }

    @Test func editReopensWithTheServersErrors() throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["create", "configmap", "e1", "--from-literal=a=1"])
        // First save: an invalid label. Second: keep a copy of what ctl re-opened, then fix it.
        let fix = try editor(f, """
            if [ "$n" = 0 ]; then sed -i 's/^metadata:$/metadata:\\n  labels: {v: "-bad-"}/' "$1"; exit 0; fi
            cp "$1" \(f.dir.path)/reopened.yaml
            sed -i 's/-bad-/good/' "$1"
            """)
        let r = try f.ctl.run(["edit", "cm", "e1"], env: ["KUBE_EDITOR": fix])
        #expect(r.code == 0 && r.stdout == "configmap/e1 edited\n" && r.stderr == "error: configmaps \"e1\" is invalid\n")
        let reopened = try String(contentsOfFile: f.dir.path + "/reopened.yaml", encoding: .utf8)
        #expect(reopened.hasPrefix("""
            # Please edit the object below. Lines beginning with a '#' will be ignored,
            # and an empty file will abort the edit. If an error occurs while saving this file will be
            # reopened with the relevant failures.
            #
            # configmaps "e1" was not valid:
            # * metadata.labels: Invalid value: "-bad-": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character
            #
            apiVersion: v1
            data:
              a: "1"
            kind: ConfigMap
            metadata:
              labels: {v: "-bad-"}

            """))
        #expect(try f.ctl.ok(["label", "cm", "e1", "--list"]) == "v=good\n")
        // Saving the re-opened file unchanged gives up, keeping a copy.
        let stubborn = try editor(f, "if [ \"$n\" = 0 ]; then sed -i 's/v: good/v: -bad-/' \"$1\"; fi")
        let g = try f.ctl.run(["edit", "cm", "e1"], env: ["KUBE_EDITOR": stubborn])
        #expect(g.code == 1 && g.stderr.hasPrefix("error: configmaps \"e1\" is invalid\nA copy of your changes has been stored to \""))
        #expect(g.stderr.hasSuffix(".yaml\"\nerror: Edit cancelled, no valid changes were saved.\n"))
        #expect(try f.ctl.ok(["label", "cm", "e1", "--list"]) == "v=good\n")
    }

    @Test func editSendsTheResourceVersionItRead() throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["create", "configmap", "e1", "--from-literal=a=1"])
        // Someone else changes the object while the editor is open: the update is refused.
        let ctl = Binaries.path("ctl")
        let racer = try editor(f, "\(ctl) label cm e1 other=1 >/dev/null\nsed -i 's/a: \"1\"/a: \"2\"/' \"$1\"")
        let r = try f.ctl.run(["edit", "cm", "e1"], env: ["KUBE_EDITOR": racer])
        #expect(r.code == 1 && r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("error: configmaps \"e1\" could not be patched: Operation cannot be fulfilled on configmaps \"e1\": the object has been modified; please apply your changes to the latest version and try again\nYou can run `ctl replace -f "))
        let after = try JSON.parse(try f.ctl.ok(["get", "cm", "e1", "-o", "json"]))
        #expect(after["data"] == ["a": "1"] && after["metadata"]["labels"] == ["other": "1"])
    }
}
