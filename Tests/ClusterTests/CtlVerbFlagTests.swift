import Foundation
import Testing
import Wire

/// version, api-resources, cordon/uncordon, --server forms and kubectl's messages, against
/// a real apiserver; expected text is what kubectl v1.32 prints (with Skiff's fields).
@Suite(.serialized) struct CtlVerbFlagTests {
    #if arch(arm64)
    static let platform = "linux/arm64"
    #else
    static let platform = "linux/amd64"
    #endif

    @Test func versionAsJSONAndYAML() throws {
        let f = try Fixture()
        defer { f.close() }
        #expect(try f.ctl.ok(["version", "-o", "json"]) == """
            {
              "clientVersion": {
                "gitVersion": "v0.1.0",
                "platform": "\(Self.platform)",
                "protocolVersions": [
                  1,
                  2
                ]
              },
              "serverVersion": {
                "gitVersion": "v0.1.0",
                "platform": "linux",
                "protocolVersions": [
                  1,
                  2
                ]
              }
            }

            """)
        #expect(try f.ctl.ok(["version", "-o", "yaml", "--client"]) == """
            clientVersion:
              gitVersion: v0.1.0
              platform: \(Self.platform)
              protocolVersions:
              - 1
              - 2

            """)
        let bad = try f.ctl.run(["version", "-o", "wide"])
        #expect(bad.code == 1 && bad.stderr == "error: --output must be 'yaml' or 'json'\n")
    }

    @Test func apiResourcesFilters() throws {
        let f = try Fixture()
        defer { f.close() }
        #expect(try f.ctl.ok(["api-resources", "--namespaced=false"]) == """
            NAME         SHORTNAMES   APIVERSION   NAMESPACED   KIND
            namespaces   ns           v1           false        Namespace
            nodes        no           v1           false        Node

            """)
        #expect(try f.ctl.ok(["api-resources", "--namespaced", "--verbs=list,watch", "-o", "name"])
            == "configmaps\nevents\npods\nsecrets\ncontrollerrevisions.apps\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\ncronjobs.batch\njobs.batch\nleases.coordination.k8s.io\n")
        #expect(try f.ctl.ok(["api-resources", "--namespaced=false", "--verbs", "get", "--verbs", "delete", "-o", "wide"]) == """
            NAME         SHORTNAMES   APIVERSION   NAMESPACED   KIND        VERBS
            namespaces   ns           v1           false        Namespace   [create delete deletecollection get list patch update watch]
            nodes        no           v1           false        Node        [create delete deletecollection get list patch update watch]

            """)
        // No type serves proxy: the header alone.
        #expect(try f.ctl.ok(["api-resources", "--verbs=proxy"]) == "NAME   SHORTNAMES   APIVERSION   NAMESPACED   KIND\n")
    }

    @Test func cordonBySelector() throws {
        let f = try Fixture()
        defer { f.close() }
        var nodes = ""
        for (n, pool) in [("n1", "a"), ("n2", "a"), ("n3", "b")] { nodes += "apiVersion: v1\nkind: Node\nmetadata: {name: \(n), labels: {pool: \(pool)}}\n---\n" }
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: nodes)
        #expect(try f.ctl.ok(["cordon", "-l", "pool=a"]) == "node/n1 cordoned\nnode/n2 cordoned\n")
        #expect(try f.ctl.ok(["cordon", "--selector", "pool=a"]) == "node/n1 already cordoned\nnode/n2 already cordoned\n")
        #expect(try f.ctl.ok(["get", "nodes", "-o", "custom-columns=NAME:.metadata.name,UNSCHEDULABLE:.spec.unschedulable"]) == """
            NAME   UNSCHEDULABLE
            n1     true
            n2     true
            n3     <none>

            """)
        #expect(try f.ctl.ok(["uncordon", "-l", "pool in (a,b)"]) == "node/n1 uncordoned\nnode/n2 uncordoned\nnode/n3 already uncordoned\n")
        #expect(try f.ctl.ok(["cordon", "-l", "pool=none"]) == "")
        let both = try f.ctl.run(["cordon", "n1", "-l", "pool=a"])
        #expect(both.code == 1 && both.stderr == "error: cannot specify both a node name and a --selector option\n")
    }

    @Test func serverAddressForms() throws {
        let f = try Fixture()
        defer { f.close() }
        let addr = f.server.address.description
        for form in [addr, "tcp://" + addr, "http://" + addr, "http://" + addr + "/", "TCP://" + addr] {
            let r = try f.ctl.run(["get", "ns", "default", "-o", "name", "--server", form])
            #expect(r.code == 0 && r.stdout == "namespace/default\n", "\(form): \(r.stderr)")
        }
        let tls = try f.ctl.run(["get", "ns", "--server", "https://" + addr])
        #expect(tls.code == 1 && tls.stdout.isEmpty)
        #expect(tls.stderr == "error: --server https://\(addr): Skiff speaks plain TCP (the Wire protocol); TLS is not supported yet: use host:port\n")
        let env = try f.ctl.run(["get", "ns"], env: ["SKIFF_SERVER": "https://" + addr])
        #expect(env.code == 1 && env.stderr == "error: SKIFF_SERVER https://\(addr): Skiff speaks plain TCP (the Wire protocol); TLS is not supported yet: use host:port\n")
        let config = f.dir.path + "/config"
        try "server: tcp://\(addr)\ntoken: \(f.server.adminToken)\n".write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try f.ctl.run(["get", "ns", "default", "-o", "name"], env: ["SKIFF_CONFIG": config], useEnv: false).stdout == "namespace/default\n")
        try "server: https://\(addr)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let file = try f.ctl.run(["get", "ns"], env: ["SKIFF_CONFIG": config], useEnv: false)
        #expect(file.code == 1 && file.stderr == "error: server in \(config) https://\(addr): Skiff speaks plain TCP (the Wire protocol); TLS is not supported yet: use host:port\n")
        let path = try f.ctl.run(["get", "ns", "--server", "http://host/api:1"])
        #expect(path.code == 1 && path.stderr == "error: invalid server address \"http://host/api:1\" (--server): expected HOST:PORT\n")
    }

    @Test func messagesForMissingArgumentsAndFailedCreates() throws {
        let f = try Fixture()
        defer { f.close() }
        let delete = try f.ctl.run(["delete"])
        #expect(delete.code == 1 && delete.stdout.isEmpty && delete.stderr == """
            error: You must provide one or more resources by argument or filename.
            Example resource specifications include:
               '-f rsrc.yaml'
               '--filename=rsrc.json'
               '<resource> <name>'
               '<resource>'

            """)
        let apply = try f.ctl.run(["apply"])
        #expect(apply.code == 1 && apply.stderr == "error: must specify -f\n")
        // apply of an object not there yet is a create, and fails as one.
        let file = f.dir.path + "/cm.yaml"
        try "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: nope}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let missingNS = try f.ctl.run(["apply", "-f", file])
        #expect(missingNS.code == 1 && missingNS.stderr == "Error from server (NotFound): error when creating \"\(file)\": namespaces \"nope\" not found\n")
        try "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try f.ctl.ok(["apply", "-f", file]) == "configmap/x created\n")
        let again = try f.ctl.run(["create", "-f", file])
        #expect(again.code == 1 && again.stderr == "Error from server (AlreadyExists): error when creating \"\(file)\": configmaps \"x\" already exists\n")
        // apply prints the template per object, as kubectl's -o jsonpath.
        #expect(try f.ctl.ok(["apply", "-f", file, "-o", "jsonpath={.kind}/{.metadata.name}"]) == "ConfigMap/x")
    }
}
