import Foundation
import Testing
import Wire

/// The ReplicaSet controller in a real apiserver, with `ctl` and `kubelet simulate`.
@Suite(.serialized)
struct ReplicaSetClusterTests {
    static let frontend = manifestsDir + "/controllers/frontend.yaml"

    static func livePods(_ admin: Client) async throws -> [JSON] {
        try await admin.list(.pods, namespace: "default").items.filter { $0["metadata"]["deletionTimestamp"].isNull }
    }

    static func owned(_ admin: Client, _ rs: String) async throws -> [JSON] {
        try await livePods(admin).filter { ($0["metadata"]["ownerReferences"].arrayValue ?? []).contains { $0["name"].stringValue == rs && $0["controller"] == true } }
    }

    static func names(_ pods: [JSON]) -> Set<String> { Set(pods.compactMap { $0["metadata"]["name"].stringValue }) }

    /// Without nodes the pods stay Pending: they count all the same.
    @Test func frontendCountsPendingPodsAndScalesWithCtl() async throws {
        let f = try Fixture()
        defer { f.close() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        #expect(try f.ctl.ok(["apply", "-f", Self.frontend]) == "replicaset.apps/frontend created\n")
        try await eventually(10, "3 Pending pods") {
            let pods = try await Self.owned(admin, "frontend")
            return pods.count == 3 && pods.allSatisfy { $0["status"]["phase"] == "Pending" }
        }
        try await eventually(10, "status replicas 3") {
            try await admin.get(.replicaSets, namespace: "default", name: "frontend")["status"]["replicas"] == 3
        }
        #expect(CtlGetOutputTests.maskAges(try f.ctl.ok(["get", "rs"])) == """
        NAME       DESIRED   CURRENT   READY   AGE
        frontend   3         3         0       0s

        """)
        #expect(CtlGetOutputTests.maskAges(try f.ctl.ok(["get", "replicasets", "-o", "wide"])) == """
        NAME       DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES   SELECTOR
        frontend   3         3         0       0s    nginx        nginx    tier=frontend

        """)

        try await eventually(10, "3 SuccessfulCreate events") {
            try await admin.list(.events, namespace: "default").items.filter { $0["reason"] == "SuccessfulCreate" }.count == 3
        }
        let described = CtlGetOutputTests.maskAges(try f.ctl.ok(["describe", "rs", "frontend"]))
            .replacingOccurrences(of: "frontend-[a-z0-9]{5}", with: "frontend-xxxxx", options: .regularExpression)
        #expect(described == """
        Name:         frontend
        Namespace:    default
        Selector:     tier=frontend
        Labels:       app=nginx
                      tier=frontend
        Annotations:  <none>
        Replicas:     3 current / 3 desired
        Pods Status:  0 Running / 3 Waiting / 0 Succeeded / 0 Failed
        Pod Template:
          Labels:  tier=frontend
          Containers:
           nginx:
            Image:         nginx
            Port:          <none>
            Host Port:     <none>
            Environment:   <none>
            Mounts:        <none>
          Volumes:         <none>
          Node-Selectors:  <none>
          Tolerations:     <none>
        Events:
          Type    Reason            Age   From                   Message
          ----    ------            ----  ----                   -------
          Normal  SuccessfulCreate  0s    replicaset-controller  Created pod: frontend-xxxxx
          Normal  SuccessfulCreate  0s    replicaset-controller  Created pod: frontend-xxxxx
          Normal  SuccessfulCreate  0s    replicaset-controller  Created pod: frontend-xxxxx

        """)

        #expect(try f.ctl.ok(["scale", "rs", "frontend", "--replicas", "5"]) == "replicaset.apps/frontend scaled\n")
        try await eventually(10, "5 pods") { try await Self.owned(admin, "frontend").count == 5 }
        #expect(try f.ctl.ok(["scale", "-f", Self.frontend, "--replicas=2", "--current-replicas=5"]) == "replicaset.apps/frontend scaled\n")
        try await eventually(10, "2 pods") { try await Self.livePods(admin).count == 2 }
        #expect(try f.ctl.ok(["scale", "replicaset/frontend", "--replicas=4", "--dry-run=server"]) == "replicaset.apps/frontend scaled (server dry run)\n")
        #expect(try await admin.get(.replicaSets, namespace: "default", name: "frontend")["spec"]["replicas"] == 2)

        // Refused, and nothing changes.
        let stale = try f.ctl.run(["scale", "rs/frontend", "--replicas=1", "--current-replicas=3"])
        #expect(stale.code == 1 && stale.stderr == "error: Expected replicas to be 3, was 2\n")
        let missing = try f.ctl.run(["scale", "rs", "frontend"])
        #expect(missing.code == 1 && missing.stderr == "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n")
        let pods = try f.ctl.run(["scale", "pod", "x", "--replicas=1"])
        #expect(pods.code == 1 && pods.stderr == "Error from server (NotFound): the server could not find the requested resource (pods/scale)\n")
        #expect(try await admin.get(.replicaSets, namespace: "default", name: "frontend")["spec"]["replicas"] == 2)

        // Deployments by their scale too; Jobs by their parallelism.
        _ = try f.ctl.ok(["apply", "-f", manifestsDir + "/controllers/nginx-deployment.yaml", "-f", manifestsDir + "/controllers/job.yaml"])
        #expect(try f.ctl.ok(["scale", "deployment/nginx-deployment", "--replicas", "1"]) == "deployment.apps/nginx-deployment scaled\n")
        #expect(try await admin.get(.deployments, namespace: "default", name: "nginx-deployment")["spec"]["replicas"] == 1)
        #expect(try f.ctl.ok(["scale", "job", "pi", "--replicas", "2"]) == "job.batch/pi scaled\n")
        #expect(try await admin.get(.jobs, namespace: "default", name: "pi")["spec"]["parallelism"] == 2)

        // kubectl's events for the ReplicaSet.
        try await eventually(10, "events") {
            let events = try await admin.list(.events, namespace: "default").items.filter { $0["involvedObject"]["name"] == "frontend" }
            return events.filter { $0["reason"] == "SuccessfulCreate" }.count == 5 && events.filter { $0["reason"] == "SuccessfulDelete" }.count == 3
        }
    }

    /// On a simulated node: adoption, release, replacement, a foreign pod left alone, and
    /// scale-down taking the newest pods.
    @Test func frontendOnASimulatedNode() async throws {
        let f = try Fixture()
        defer { f.close() }
        let sim = try SimulatedPodTests.Simulator(f, nodes: 1)
        defer { sim.stop() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await SimulatedPodTests.waitForNodes(admin, 1)

        // An orphan that matches, and a pod another controller owns (a live owner, so the
        // garbage collector keeps it).
        let other = try await admin.create(.configMaps, namespace: "default", ["metadata": ["name": "other"]])
        let otherUID = other["metadata"]["uid"].stringValue ?? ""
        _ = try f.ctl.ok(["apply", "-f", "-"], stdin: """
        apiVersion: v1
        kind: Pod
        metadata: {name: stray, labels: {tier: frontend}}
        spec: {containers: [{name: c, image: nginx}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: foreign
          labels: {tier: frontend}
          ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: other, uid: \(otherUID), controller: true}]
        spec: {containers: [{name: c, image: nginx}]}
        """)
        _ = try f.ctl.ok(["apply", "-f", Self.frontend])
        try await eventually(15, "frontend ready with 3 pods") {
            try await admin.get(.replicaSets, namespace: "default", name: "frontend")["status"]["readyReplicas"] == 3
        }
        let first = Self.names(try await Self.owned(admin, "frontend"))
        #expect(first.contains("stray"))
        #expect(try await Self.livePods(admin).count == 4)
        #expect(CtlGetOutputTests.maskAges(try f.ctl.ok(["get", "rs"])) == """
        NAME       DESIRED   CURRENT   READY   AGE
        frontend   3         3         3       0s

        """)

        // Newer pods (and, first of all, unready ones) go first when scaling down.
        try await Task.sleep(for: .milliseconds(1100))
        #expect(try f.ctl.ok(["scale", "rs", "frontend", "--replicas", "5"]) == "replicaset.apps/frontend scaled\n")
        try await eventually(15, "5 ready") {
            try await admin.get(.replicaSets, namespace: "default", name: "frontend")["status"]["readyReplicas"] == 5
        }
        #expect(try f.ctl.ok(["scale", "rs", "frontend", "--replicas", "3"]) == "replicaset.apps/frontend scaled\n")
        try await eventually(15, "back to the first 3") { Self.names(try await Self.owned(admin, "frontend")) == first }

        // A deleted pod is replaced.
        let gone = first.subtracting(["stray"]).sorted()[0]
        _ = try f.ctl.ok(["delete", "pod", gone])
        try await eventually(15, "a replacement") {
            let now = Self.names(try await Self.owned(admin, "frontend"))
            return now.count == 3 && !now.contains(gone)
        }

        // A pod relabelled out of the selector is released and replaced.
        _ = try f.ctl.ok(["label", "pod", "stray", "tier=backend", "--overwrite"])
        try await eventually(15, "stray released and replaced") {
            let now = Self.names(try await Self.owned(admin, "frontend"))
            let stray = try await admin.get(.pods, namespace: "default", name: "stray")
            return now.count == 3 && !now.contains("stray") && stray["metadata"]["ownerReferences"].isNull
        }
        try await eventually(15, "ready again") {
            try await admin.get(.replicaSets, namespace: "default", name: "frontend")["status"]
                == ["replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 3, "availableReplicas": 3, "observedGeneration": 3]
        }
        let foreign = try await admin.get(.pods, namespace: "default", name: "foreign")
        #expect(foreign["metadata"]["ownerReferences"] == [["apiVersion": "v1", "kind": "ConfigMap", "name": "other",
                                                            "uid": .string(otherUID), "controller": true]])
        #expect(foreign["metadata"]["deletionTimestamp"].isNull)
    }
}
