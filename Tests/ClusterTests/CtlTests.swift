import Foundation
import Testing
import Wire

/// apiserver + ctl end to end: real processes on loopback.
@Suite(.serialized) struct CtlTests {
    @Test func applyGetDescribeDelete() throws {
        let f = try Fixture()
        defer { f.close() }
        let pod = manifestsDir + "/pods/pod-nginx.yaml"
        #expect(try f.ctl.ok(["apply", "-f", pod]) == "pod/nginx created\n")
        #expect(try f.ctl.ok(["apply", "-f", pod]) == "pod/nginx unchanged\n")
        let table = try f.ctl.ok(["get", "pods"])
        #expect(table.hasPrefix("NAME    READY   STATUS    RESTARTS   AGE\nnginx   0/1     Pending   0"))
        #expect(try f.ctl.ok(["get", "pods", "-o", "name"]) == "pod/nginx\n")
        let obj = try JSON.parse(try f.ctl.ok(["get", "pod/nginx", "-o", "json"]))
        #expect(obj["kind"] == "Pod" && obj["metadata"]["labels"]["env"] == "test")
        let list = try JSON.parse(try f.ctl.ok(["get", "pods", "-o", "json"]))
        #expect(list["kind"] == "List" && list["items"].arrayValue?.count == 1)
        let yaml = try f.ctl.ok(["get", "po", "nginx", "-o", "yaml"])
        #expect(yaml.contains("kind: Pod\n") && yaml.contains("  - image: nginx\n"))
        let d = try f.ctl.ok(["describe", "pod", "nginx"])
        #expect(d.hasPrefix("Name:") && d.contains("nginx\n") && d.contains("Events:"))
        #expect(try f.ctl.ok(["delete", "pod/nginx"]) == "pod \"nginx\" deleted\n")
        let empty = try f.ctl.run(["get", "pods"])
        #expect(empty.code == 0 && empty.stdout.isEmpty && empty.stderr == "No resources found in default namespace.\n")
        let describeNone = try f.ctl.run(["describe", "pods"])
        #expect(describeNone.code == 0 && describeNone.stdout.isEmpty && describeNone.stderr == "No resources found in default namespace.\n")
        // A directory tree with -R: subfolders are read too (without -R only the top level).
        let dir = URL(fileURLWithPath: f.dir.path + "/tree/sub")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\n".write(to: dir.appendingPathComponent("cm.yaml"), atomically: true, encoding: .utf8)
        let tree = f.dir.path + "/tree"
        #expect(try f.ctl.run(["apply", "-f", tree]).code != 0)
        #expect(try f.ctl.ok(["apply", "-R", "-f", tree]) == "configmap/deep created\n")
        #expect(try f.ctl.ok(["delete", "-R", "-f", tree]) == "configmap \"deep\" deleted\n")
    }

    @Test func nameOutputIsAcceptedBack() throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\ndata: {a: '1'}\n")
        let lease = "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: l1, namespace: default}\nspec: {holderIdentity: me}\n"
        #expect(try f.ctl.ok(["apply", "-f", "-"], stdin: lease) == "lease.coordination.k8s.io/l1 created\n")
        for ref in ["configmap/one", "lease.coordination.k8s.io/l1"] {
            let name = try f.ctl.ok(["get", ref, "-o", "name"])
            #expect(name == ref + "\n")
            #expect(try f.ctl.run(["get", String(name.dropLast())]).code == 0)
        }
        #expect(try f.ctl.ok(["get", "leases", "-o", "wide"]).contains("l1     me"))
    }

    @Test func globalFlagsBeforeOrAfterTheVerbAndConfigFile() throws {
        let f = try Fixture()
        defer { f.close() }
        let noEnv = ["--server", f.server.address.description, "--token", f.server.adminToken]
        let before = try f.ctl.run(noEnv + ["-n", "kube-system", "get", "pods"], useEnv: false)
        #expect(before.code == 0 && before.stderr == "No resources found in kube-system namespace.\n")
        let after = try f.ctl.run(["get", "pods", "-n", "kube-system"] + noEnv, useEnv: false)
        #expect(after.stderr == before.stderr)
        // The config file under $HOME, then one named by SKIFF_CONFIG.
        try FileManager.default.createDirectory(atPath: f.ctl.home + "/.skiff", withIntermediateDirectories: true)
        try "server: \(f.server.address)\ntoken: \(f.server.adminToken)\n".write(toFile: f.ctl.home + "/.skiff/config", atomically: true, encoding: .utf8)
        #expect(try f.ctl.run(["get", "ns", "default", "-o", "name"], useEnv: false).stdout == "namespace/default\n")
        try "server: 127.0.0.1:1\ntoken: nope\n".write(toFile: f.dir.path + "/other", atomically: true, encoding: .utf8)
        let other = try f.ctl.run(["get", "ns"], env: ["SKIFF_CONFIG": f.dir.path + "/other"], useEnv: false)
        #expect(other.code == 1 && other.stderr.contains("127.0.0.1:1 was refused"))
        // Flags beat the environment.
        let wrong = try f.ctl.run(["get", "ns", "-o", "name", "--token", "bad"])
        #expect(wrong.code == 1 && wrong.stderr.contains("Unauthorized"))
    }

    @Test func unreachableServerFailsFast() throws {
        let f = try Fixture()
        defer { f.close() }
        let start = Date()
        let refused = try f.ctl.run(["get", "pods", "--server", "127.0.0.1:1"])
        #expect(refused.code == 1)
        #expect(refused.stderr == "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n")
        // A socket that accepts but never answers: the request timeout bounds the wait.
        let silent = try Socket.listen(on: HostPort(host: "127.0.0.1", port: 0))
        defer { close(silent) }
        let port = Socket.localAddress(silent)!.port
        let hung = try f.ctl.run(["get", "pods", "--server", "127.0.0.1:\(port)", "--request-timeout", "1s"])
        #expect(hung.code == 1 && hung.stderr.contains("Unable to connect"))
        #expect(Date().timeIntervalSince(start) < 8)
    }

    @Test func errorsCarryTheServersReason() throws {
        let f = try Fixture()
        defer { f.close() }
        let missing = try f.ctl.run(["get", "pod", "ghost"])
        #expect(missing.code == 1 && missing.stderr == "Error from server (NotFound): pods \"ghost\" not found\n")
        let bad = try f.ctl.run(["apply", "-f", "-"], stdin: #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bad"},"spec":{"containers":[{"name":"c"}]}}"#)
        #expect(bad.code == 1 && bad.stderr.contains("The Pod \"bad\" is invalid: spec.containers[0].image: Required value"))
        let type = try f.ctl.run(["get", "widgets"])
        #expect(type.code == 1 && type.stderr == "error: the server doesn't have a resource type \"widgets\"\n")
        let unsupported = try f.ctl.run(["apply", "-f", "-"], stdin: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec: {}\n")
        #expect(unsupported.code == 1 && unsupported.stderr.contains("kind StatefulSet (apps/v1) is not supported yet"))
        let warn = try f.ctl.run(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: w}\ndata: {a: b}\nbogus: 1\n")
        #expect(warn.code == 0 && warn.stderr == "Warning: unknown field \"bogus\"\n")
        #expect(try JSON.parse(try f.ctl.ok(["get", "cm", "w", "-o", "json"]))["bogus"].isNull)
    }

    @Test func replacePatchSelectorsAndPaging() throws {
        let f = try Fixture()
        defer { f.close() }
        for i in 0..<5 {
            _ = try f.ctl.ok(["create", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm\(i), labels: {tier: \(i % 2 == 0 ? "even" : "odd")}}\n")
        }
        #expect(try f.ctl.ok(["get", "cm", "--chunk-size", "2", "-o", "name"]).split(separator: "\n").count == 5)
        #expect(try f.ctl.ok(["get", "cm", "-l", "tier=even", "-o", "name"]) == "configmap/cm0\nconfigmap/cm2\nconfigmap/cm4\n")
        #expect(try f.ctl.ok(["get", "cm", "-l", "tier in (odd)", "--field-selector", "metadata.name!=cm1", "-o", "name"]) == "configmap/cm3\n")
        let dup = try f.ctl.run(["create", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm0}\n")
        #expect(dup.code == 1 && dup.stderr.contains("Error from server (AlreadyExists)") && dup.stderr.contains("configmaps \"cm0\" already exists"))
        #expect(try f.ctl.ok(["patch", "cm", "cm0", "--type", "merge", "-p", #"{"data":{"k":"v"}}"#]) == "configmap/cm0 patched\n")
        #expect(try f.ctl.ok(["patch", "configmap/cm0", "-p", #"{"data":{"k":"v"}}"#]) == "configmap/cm0 patched (no change)\n")
        let saved = try f.ctl.ok(["get", "cm", "cm0", "-o", "yaml"])
        #expect(saved.contains("  k: v\n"))
        let file = f.dir.path + "/cm0.yaml"
        try saved.replacingOccurrences(of: "k: v", with: "k: w").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try f.ctl.ok(["replace", "-f", file]) == "configmap/cm0 replaced\n")
        let stale = try f.ctl.run(["replace", "-f", file])
        #expect(stale.code == 1 && stale.stderr.contains("Error from server (Conflict)") && stale.stderr.contains("the object has been modified"))
        #expect(try f.ctl.ok(["delete", "cm", "-l", "tier=odd"]) == "configmap \"cm1\" deleted\nconfigmap \"cm3\" deleted\n")
        #expect(try f.ctl.run(["delete", "cm", "cm1"]).code == 1)
        #expect(try f.ctl.run(["delete", "cm", "cm1", "--ignore-not-found"]).code == 0)
    }

    @Test func watchWritesEachLineAtOnceIntoAFile() async throws {
        let f = try Fixture()
        defer { f.close() }
        let out = f.dir.path + "/watch.out"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.path("ctl"))
        p.arguments = ["get", "configmaps", "-w", "--request-timeout", "0"]
        p.environment = ["HOME": f.ctl.home, "SKIFF_SERVER": f.server.address.description, "SKIFF_TOKEN": f.server.adminToken]
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        try p.run()
        defer { p.terminate(); p.waitUntilExit() }
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n")
        try await eventually(10, "the first event line") { (try String(contentsOfFile: out, encoding: .utf8)).contains("first") }
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}\ndata: {a: b}\n")
        try await eventually(10, "the second event line") { (try String(contentsOfFile: out, encoding: .utf8)).contains("second   1") }
        #expect(p.isRunning)
        // The list was empty: the header comes with the first change, as kubectl prints it.
        #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("NAME    DATA   AGE\nfirst   0"))
        let twoTypes = try f.ctl.run(["get", "pods,cm", "-w"])
        #expect(twoTypes.code == 1 && twoTypes.stderr == "error: you may only specify a single resource type\n")
        let twoNames = try f.ctl.run(["get", "cm/first", "pod/x", "-w"])
        #expect(twoNames.code == 1 && twoNames.stderr.contains("watch is only supported on individual resources and resource collections, but 2 resources were found"))
    }

    /// kubectl's describers for these kinds: data keys as written, secrets by size only.
    @Test func describeConfigMapsSecretsAndNamespaces() throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {my-key: "line1\\nline2", b: x}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: creds}
            data: {password: c2VjcmV0}
            """)
        let cm = try f.ctl.ok(["describe", "cm", "settings"])
        #expect(cm.hasPrefix("Name:         settings\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\nData\n====\n"))
        #expect(cm.contains("b:\n----\nx\n\nmy-key:\n----\nline1\nline2\n\n\nBinaryData\n====\n\nEvents:  <none>\n"))
        let secret = try f.ctl.ok(["describe", "secret", "creds"])
        #expect(secret.hasSuffix("\nType:  Opaque\n\nData\n====\npassword:  6 bytes\n") && !secret.contains("c2VjcmV0"))
        let ns = try f.ctl.ok(["describe", "ns", "default"])
        #expect(ns.contains("Status:       Active\n\nNo resource quota.\n\nNo LimitRange resource.\n"))
    }

    @Test func versionAndAPIResources() throws {
        let f = try Fixture()
        defer { f.close() }
        let v = try f.ctl.ok(["version"])
        #expect(v.contains("Client Version: v0.1.0\nServer Version: v0.1.0\nProtocol Version: 2 (client speaks 1,2)\n"))
        let r = try f.ctl.ok(["api-resources"])
        #expect(r == """
            NAME                  SHORTNAMES   APIVERSION               NAMESPACED   KIND
            configmaps            cm           v1                       true         ConfigMap
            events                ev           v1                       true         Event
            namespaces            ns           v1                       false        Namespace
            nodes                 no           v1                       false        Node
            pods                  po           v1                       true         Pod
            secrets                            v1                       true         Secret
            controllerrevisions                apps/v1                  true         ControllerRevision
            daemonsets            ds           apps/v1                  true         DaemonSet
            deployments           deploy       apps/v1                  true         Deployment
            replicasets           rs           apps/v1                  true         ReplicaSet
            cronjobs              cj           batch/v1                 true         CronJob
            jobs                               batch/v1                 true         Job
            leases                             coordination.k8s.io/v1   true         Lease

            """)
    }
}

@Suite(.serialized) struct NamespaceTests {
    @Test func deletingANamespaceDeletesItsContents() async throws {
        let f = try Fixture()
        defer { f.close() }
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: doomed}\n")
        for i in 0..<3 {
            _ = try f.ctl.ok(["apply", "-n", "doomed", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\(i)}\n")
        }
        _ = try f.ctl.ok(["apply", "-n", "doomed", "-f", manifestsDir + "/pods/pod-nginx.yaml"])
        #expect(try f.ctl.ok(["delete", "ns", "doomed"]) == "namespace \"doomed\" deleted\n")
        try await eventually(15, "the namespace to go") { try f.ctl.run(["get", "ns", "doomed"]).code == 1 }
        #expect(try f.ctl.run(["get", "cm", "-n", "doomed"]).stderr == "No resources found in doomed namespace.\n")
        #expect(try f.ctl.run(["get", "pods", "-n", "doomed"]).stderr == "No resources found in doomed namespace.\n")
        let late = try f.ctl.run(["apply", "-n", "doomed", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late}\n")
        #expect(late.code == 1 && late.stderr.contains("namespaces \"doomed\" not found"))
    }
}
