import Foundation
import Testing
import Wire

/// `ctl get controllerrevisions` and `ctl rollout history|undo` of a DaemonSet on a simulated
/// node, as kubectl prints them for the same objects.
@Suite(.serialized)
struct DaemonSetRolloutTests {
    typealias Simulator = SimulatedPodTests.Simulator

    static func daemonSet() -> JSON {
        ["apiVersion": "apps/v1", "kind": "DaemonSet",
         "metadata": ["name": "agent", "namespace": "default", "annotations": ["kubernetes.io/change-cause": "first"]],
         "spec": ["selector": ["matchLabels": ["app": "agent"]],
                  "template": ["metadata": ["labels": ["app": "agent"]], "spec": ["containers": [["name": "c", "image": "nginx"]]]]]]
    }

    /// The hashes of the agent's live pods.
    static func podHashes(_ admin: Client) async throws -> [String] {
        try await admin.list(.pods, namespace: "default", labelSelector: "app=agent").items
            .filter { $0["metadata"]["deletionTimestamp"].isNull }
            .compactMap { $0["metadata"]["labels"]["controller-revision-hash"].stringValue }
    }

    static func revisions(_ admin: Client) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in try await admin.list(.controllerRevisions, namespace: "default").items {
            out[r["metadata"]["name"].stringValue ?? ""] = r["revision"].intValue
        }
        return out
    }

    // The two templates' hashes (Skiff's TemplateHash of the defaulted templates).
    static let h1 = "58967d5fcf", h2 = "745b455cc"

    @Test func historyAndUndo() async throws {
        let f = try Fixture()
        defer { f.close() }
        let sim = try Simulator(f, nodes: 1)
        defer { sim.stop() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await SimulatedPodTests.waitForNodes(admin, 1)
        _ = try await admin.create(.daemonSets, namespace: "default", Self.daemonSet())
        try await eventually(20, "the first revision's pod") { try await Self.podHashes(admin) == [Self.h1] }
        #expect(CtlGetOutputTests.maskAges(try f.ctl.ok(["get", "controllerrevisions"])) == """
            NAME               CONTROLLER             REVISION   AGE
            agent-\(Self.h1)   daemonset.apps/agent   1          0s

            """)
        let single = try f.ctl.run(["rollout", "undo", "daemonset/agent"])
        #expect(single.code == 1 && single.stderr == "error: no last revision to roll back to\n")

        _ = try await admin.patch(.daemonSets, namespace: "default", name: "agent", [
            "metadata": ["annotations": ["kubernetes.io/change-cause": "second"]],
            "spec": ["template": ["spec": ["containers": [["name": "c", "image": "nginx:2"]]]]],
        ])
        try await eventually(20, "the second revision's pod") { try await Self.podHashes(admin) == [Self.h2] }
        #expect(try f.ctl.ok(["rollout", "history", "daemonset/agent"]) == """
            daemonset.apps/agent 
            REVISION  CHANGE-CAUSE
            1         first
            2         second


            """)
        let revision1 = try f.ctl.ok(["rollout", "history", "ds", "agent", "--revision=1"])
        #expect(revision1 == """
            daemonset.apps/agent with revision #1
            Pod Template:
              Labels:  app=agent
              Containers:
               c:
                Image:         nginx
                Port:          <none>
                Host Port:     <none>
                Environment:   <none>
                Mounts:        <none>
              Volumes:         <none>
              Node-Selectors:  <none>
              Tolerations:     <none>


            """, "\(revision1)")
        let missing = try f.ctl.run(["rollout", "history", "daemonset/agent", "--revision=9"])
        #expect(missing.code == 1 && missing.stderr == "error: unable to find the specified revision\n")

        // Undo: the first template comes back, its revision renumbered 3.
        #expect(try f.ctl.ok(["rollout", "undo", "daemonset/agent"]) == "daemonset.apps/agent rolled back\n")
        try await eventually(20, "the first template's pod again") { try await Self.podHashes(admin) == [Self.h1] }
        try await eventually(10, "revision 3") { try await Self.revisions(admin) == ["agent-\(Self.h1)": 3, "agent-\(Self.h2)": 2] }
        let ds = try await admin.get(.daemonSets, namespace: "default", name: "agent")
        #expect(ds["spec"]["template"]["spec"]["containers"].arrayValue?.first?["image"] == "nginx")
        #expect(try f.ctl.ok(["rollout", "history", "daemonset/agent"]) == """
            daemonset.apps/agent 
            REVISION  CHANGE-CAUSE
            2         second
            3         first


            """)
        #expect(try f.ctl.ok(["rollout", "undo", "daemonset/agent", "--to-revision=3"])
            == "daemonset.apps/agent skipped rollback (current template already matches revision 3)\n")
        let gone = try f.ctl.run(["rollout", "undo", "daemonset/agent", "--to-revision=7"])
        #expect(gone.code == 1 && gone.stderr == "error: unable to find specified revision 7 in history\n")
        #expect(try f.ctl.ok(["rollout", "undo", "daemonset/agent", "--to-revision=2"]) == "daemonset.apps/agent rolled back\n")
        try await eventually(10, "revision 4") { try await Self.revisions(admin) == ["agent-\(Self.h1)": 3, "agent-\(Self.h2)": 4] }

        // Deleting the DaemonSet takes its revisions with it (garbage collector).
        try await admin.delete(.daemonSets, namespace: "default", name: "agent")
        try await eventually(20, "no revisions") { try await Self.revisions(admin).isEmpty }
    }
}
