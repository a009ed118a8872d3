import Foundation
import Testing
import Wire

/// `ctl delete --cascade` against a hub whose garbage collector runs: the object states
/// kubectl users see at each step, with dependents made by hand (ownerReferences).
@Suite(.serialized) struct CtlCascadeTests {
    func create(_ f: Fixture, _ yaml: String) throws {
        _ = try f.ctl.ok(["create", "-f", "-"], stdin: yaml)
    }

    func uid(_ f: Fixture, _ type: String, _ name: String) throws -> String {
        try f.ctl.ok(["get", type, name, "-o", "jsonpath={.metadata.uid}"])
    }

    /// A ConfigMap (or other `kind`) owned by the objects `owners` lists (kind, name, uid).
    func dependent(_ name: String, kind: String = "ConfigMap", owners: [(String, String, String)], block: Bool = false,
                   finalizer: Bool = false) -> String {
        let refs = owners.map { "{apiVersion: \($0.0 == "Job" ? "batch/v1" : "v1"), kind: \($0.0), name: \($0.1), uid: \($0.2), blockOwnerDeletion: \(block)}" }
        let spec = kind == "Pod" ? "\nspec: {containers: [{name: c, image: busybox}]}" : ""
        return "apiVersion: v1\nkind: \(kind)\nmetadata: {name: \(name), ownerReferences: [\(refs.joined(separator: ", "))]"
            + (finalizer ? ", finalizers: [example.com/hold]}" : "}") + spec + "\n"
    }

    func gone(_ f: Fixture, _ type: String, _ name: String) throws -> Bool { try f.ctl.run(["get", type, name]).code == 1 }

    @Test func orphanedDependentsHaveNoOwnerWhenDeleteReturns() throws {
        let f = try Fixture()
        defer { f.close() }
        try create(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner}\n")
        let owner = try uid(f, "cm", "owner")
        try create(f, dependent("dep", owners: [("ConfigMap", "owner", owner)], block: true))
        try create(f, dependent("dep-secret", kind: "Secret", owners: [("ConfigMap", "owner", owner)]))
        #expect(try f.ctl.ok(["delete", "cm", "owner", "--cascade=orphan"]) == "configmap \"owner\" deleted\n")
        #expect(try f.ctl.ok(["get", "cm", "dep", "-o", "jsonpath={.metadata.ownerReferences}"]) == "")
        #expect(try f.ctl.ok(["get", "secret", "dep-secret", "-o", "jsonpath={.metadata.ownerReferences}"]) == "")
        let owned = try f.ctl.run(["get", "cm", "owner"])
        #expect(owned.code == 1 && owned.stderr == "Error from server (NotFound): configmaps \"owner\" not found\n")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try f.ctl.ok(["get", "cm", "dep", "-o", "name"]) == "configmap/dep\n")
    }

    @Test func ctlSendsBackgroundUnlessTold() throws {
        let f = try Fixture()
        defer { f.close() }
        try create(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner}\n")
        try create(f, dependent("dep", owners: [("ConfigMap", "owner", try uid(f, "cm", "owner"))]))
        // A Job would orphan its pods by default (with a warning); kubectl always says background.
        try create(f, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}\n")
        try create(f, dependent("j-pod", kind: "Pod", owners: [("Job", "j", try uid(f, "job", "j"))]))
        let job = try f.ctl.run(["delete", "job", "j"])
        #expect(job.code == 0 && job.stdout == "job.batch \"j\" deleted\n" && job.stderr == "")
        #expect(try f.ctl.ok(["delete", "cm", "owner"]) == "configmap \"owner\" deleted\n")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, try !gone(f, "cm", "dep") || !gone(f, "pod", "j-pod") { Thread.sleep(forTimeInterval: 0.1) }
        #expect(try gone(f, "cm", "dep"))
        #expect(try gone(f, "pod", "j-pod"))
    }

    @Test func foregroundShowsTheOwnerWaitingForItsBlockingDependent() throws {
        let f = try Fixture()
        defer { f.close() }
        try create(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner}\n")
        try create(f, dependent("held", owners: [("ConfigMap", "owner", try uid(f, "cm", "owner"))], block: true, finalizer: true))
        #expect(try f.ctl.ok(["delete", "cm", "owner", "--cascade=foreground", "--wait=false"]) == "configmap \"owner\" deleted\n")
        #expect(try f.ctl.ok(["get", "cm", "owner", "-o", "jsonpath={.metadata.finalizers}"]) == "[\"foregroundDeletion\"]")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, try f.ctl.ok(["get", "cm", "held", "-o", "jsonpath={.metadata.deletionTimestamp}"]).isEmpty {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(try f.ctl.ok(["get", "cm", "held", "-o", "jsonpath={.metadata.finalizers}"]) == "[\"example.com/hold\"]")
        #expect(try f.ctl.ok(["get", "cm", "owner", "-o", "name"]) == "configmap/owner\n")
        _ = try f.ctl.ok(["patch", "cm", "held", "--type", "json", "-p", #"[{"op":"remove","path":"/metadata/finalizers"}]"#])
        let end = Date().addingTimeInterval(10)
        while Date() < end, try !gone(f, "cm", "owner") { Thread.sleep(forTimeInterval: 0.1) }
        #expect(try gone(f, "cm", "owner"))
        #expect(try gone(f, "cm", "held"))
    }

    @Test func booleanCascadeAndWaitValuesReadAsGoDoes() throws {
        let f = try Fixture()
        defer { f.close() }
        try create(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
        let r = try f.ctl.run(["delete", "cm", "a", "--cascade=F", "--wait=0"])
        #expect(r.code == 0 && r.stdout == "configmap \"a\" deleted\n")
        #expect(r.stderr == "warning: --cascade=F is deprecated (boolean value) and can be replaced with --cascade=orphan.\n")
        let bad = try f.ctl.run(["delete", "cm", "a", "--wait=maybe"])
        #expect(bad.code == 1 && bad.stderr == "error: invalid argument \"maybe\" for \"--wait\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax\n")
    }
}
