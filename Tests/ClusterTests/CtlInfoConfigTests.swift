import Foundation
import Testing
import Wire

/// `explain`, `api-versions`, `cluster-info`, `completion bash` and `config`.
@Suite(.serialized) struct CtlInfoConfigTests {
    @Test func explainWalksTheServersSchema() throws {
        let f = try Fixture()
        defer { f.close() }
        #expect(try f.ctl.ok(["explain", "lease"]) == """
            KIND:       Lease
            VERSION:    coordination.k8s.io/v1

            DESCRIPTION:
                <empty>

            FIELDS:
              apiVersion\t<string>
              kind\t<string>
              metadata\t<Object> -required-
              spec\t<Object>

            """)
        let containers = try f.ctl.ok(["explain", "pods.spec.containers"])
        #expect(containers.hasPrefix("KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Object>\n\nDESCRIPTION:\n    <empty>\n\nFIELDS:\n  args\t<[]string>\n"))
        #expect(containers.contains("\n  image\t<string>\n") && containers.contains("\n  env\t<[]Object>\n"))
        #expect(try f.ctl.ok(["explain", "po.spec.containers.image"]) == "KIND:       Pod\nVERSION:    v1\n\nFIELD: image <string>\n\nDESCRIPTION:\n    <empty>\n")
        #expect(try f.ctl.ok(["explain", "cm.data"]) == "KIND:       ConfigMap\nVERSION:    v1\n\nFIELD: data <map[string]string>\n\nDESCRIPTION:\n    <empty>\n")
        let missing = try f.ctl.run(["explain", "pod.spec.nope"])
        #expect(missing.code == 1 && missing.stderr == "error: field \"nope\" does not exist\n")
        let unknown = try f.ctl.run(["explain", "widgets"])
        #expect(unknown.code == 1 && unknown.stderr == "error: the server doesn't have a resource type \"widgets\"\n")
    }

    @Test func apiVersionsAndClusterInfo() throws {
        let f = try Fixture()
        defer { f.close() }
        #expect(try f.ctl.ok(["api-versions"]) == "apps/v1\nbatch/v1\ncoordination.k8s.io/v1\nv1\n")
        #expect(try f.ctl.ok(["cluster-info"]) == "Skiff apiserver is running at \(f.server.address)\n")
        let down = try f.ctl.run(["cluster-info", "--server", "127.0.0.1:1"])
        #expect(down.code == 1 && down.stderr == "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n")
    }

    @Test func bashCompletionScript() throws {
        let f = try Fixture()
        defer { f.close() }
        let script = try f.ctl.ok(["completion", "bash"])
        let path = f.dir.path + "/ctl.bash"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        _ = try f.ctl.ok(["create", "configmap", "web-config"])
        func bash(_ code: String) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-c", code]
            p.environment = ["PATH": Binaries.dir + ":/usr/bin:/bin", "HOME": f.ctl.home,
                             "SKIFF_SERVER": f.server.address.description, "SKIFF_TOKEN": f.server.adminToken]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "bash -c \(code)")
            return String(decoding: data, as: UTF8.self)
        }
        _ = try bash("bash -n \(path)")
        #expect(try bash("source \(path); declare -F _ctl_complete; complete -p ctl") == "_ctl_complete\ncomplete -F _ctl_complete ctl\n")
        func complete(_ words: String) throws -> String {
            try bash("source \(path); COMP_WORDS=(\(words)); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _ctl_complete; echo \"${COMPREPLY[*]}\"")
        }
        #expect(try complete("ctl la") == "label\n")
        #expect(try complete("ctl -n default ap") == "api-resources api-versions apply\n")
        #expect(try complete("ctl get lea") == "leases.coordination.k8s.io\n")
        #expect(try complete("ctl get configmaps web") == "web-config\n")
        #expect(try complete("ctl describe cm -n default w") == "web-config\n")
        #expect(try complete("ctl create se") == "secret\n")
        let zsh = try f.ctl.run(["completion", "zsh"])
        #expect(zsh.code == 1 && zsh.stderr == "error: Unsupported shell type \"zsh\".\n")
    }

    @Test func configViewAndSetContext() throws {
        let f = try Fixture()
        defer { f.close() }
        let dir = f.ctl.home + "/.skiff"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = "# the hub\nserver: \(f.server.address)\ntoken: \(f.server.adminToken)\n"
        try config.write(toFile: dir + "/config", atomically: true, encoding: .utf8)
        chmod(dir + "/config", 0o600)
        #expect(try f.ctl.ok(["config", "view"]) == "# the hub\nserver: \(f.server.address)\ntoken: REDACTED\n")
        #expect(try f.ctl.ok(["config", "view", "--raw"]) == config)
        #expect(try f.ctl.ok(["config", "set-context", "--current", "--namespace=team-a"]) == "Context modified.\n")
        #expect(try String(contentsOfFile: dir + "/config", encoding: .utf8) == config + "namespace: team-a\n")
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/config")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // ctl now works in that namespace; a second change replaces the line.
        _ = try f.ctl.ok(["create", "namespace", "team-a"])
        let none = try f.ctl.run(["get", "configmaps"], useEnv: false)
        #expect(none.code == 0 && none.stderr == "No resources found in team-a namespace.\n")
        #expect(try f.ctl.ok(["config", "set-context", "--current", "-n", "default"]) == "Context modified.\n")
        #expect(try String(contentsOfFile: dir + "/config", encoding: .utf8) == config + "namespace: default\n")
        // No file yet: set-context creates one, owner-only.
        let other = f.dir.path + "/fresh/config"
        let made = try f.ctl.run(["config", "set-context", "--current", "--namespace=x"], env: ["SKIFF_CONFIG": other])
        #expect(made.code == 0 && (try? String(contentsOfFile: other, encoding: .utf8)) == "namespace: x\n")
        #expect(try FileManager.default.attributesOfItem(atPath: other)[.posixPermissions] as? Int == 0o600)
        let noNS = try f.ctl.run(["config", "set-context", "--current"])
        #expect(noNS.code == 1 && noNS.stderr == "error: set-context --current needs --namespace=NS\n")
        let bad = try f.ctl.run(["config", "frob"])
        #expect(bad.code == 1 && bad.stderr == "error: unknown command \"frob\" for \"ctl config\"\n")
    }
}
