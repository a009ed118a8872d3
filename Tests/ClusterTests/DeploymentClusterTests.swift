import Foundation
import Testing
import Wire

/// Deployments end to end: a real apiserver (deployment, ReplicaSet controllers and
/// scheduler in the hub), `kubelet simulate` nodes, and `ctl`'s rollout verbs.
@Suite(.serialized)
struct DeploymentClusterTests {
    static let nginx = manifestsDir + "/controllers/nginx-deployment.yaml"

    /// A hub with `nodes` simulated nodes, torn down after `body`.
    static func cluster(nodes: Int, _ body: (Fixture, Client) async throws -> Void) async throws {
        let f = try Fixture()
        defer { f.close() }
        let sim = try SimulatedPodTests.Simulator(f, nodes: nodes)
        defer { sim.stop() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        try await SimulatedPodTests.waitForNodes(admin, nodes)
        try await body(f, admin)
    }

    static func pods(_ c: Client) async throws -> [JSON] { try await c.list(.pods, namespace: "default").items }

    /// Running, Ready and not being deleted.
    static func isAvailable(_ p: JSON) -> Bool {
        p["status"]["phase"] == "Running" && p["metadata"]["deletionTimestamp"].isNull
            && (p["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }

    /// Exactly three pods, all available on `image`.
    static func settled(_ c: Client, on image: String) async throws -> Bool {
        let all = try await pods(c)
        return all.count == 3 && all.filter(isAvailable).compactMap { $0["spec"]["containers"].arrayValue?.first?["image"].stringValue } == [image, image, image]
    }

    static func rsNames(_ c: Client) async throws -> [String] {
        try await c.list(.replicaSets, namespace: "default").items.compactMap { $0["metadata"]["name"].stringValue }.sorted()
    }

    /// `AGE` cells vary: the columns up to it, compared literally.
    static func withoutAge(_ table: String) -> String {
        table.split(separator: "\n").map { line in
            line.split(separator: " ", omittingEmptySubsequences: true).dropLast().joined(separator: " ")
        }.joined(separator: "\n")
    }

    @Test func nginxDeploymentGetsAReplicaSetWithThreeRunningPodsOnTwoNodes() async throws {
        try await Self.cluster(nodes: 2) { f, admin in
            #expect(try f.ctl.ok(["apply", "-f", Self.nginx]) == "deployment.apps/nginx-deployment created\n")
            try await eventually(15, "3 available pods") { try await Self.pods(admin).filter(Self.isAvailable).count == 3 }
            let rs = try await admin.list(.replicaSets, namespace: "default").items
            #expect(rs.count == 1)
            let hash = rs.first?["metadata"]["labels"]["pod-template-hash"].stringValue ?? ""
            #expect(rs.first?["metadata"]["name"].stringValue == "nginx-deployment-\(hash)")
            let pods = try await Self.pods(admin)
            #expect(pods.count == 3)
            for p in pods {
                #expect(p["metadata"]["name"].stringValue?.hasPrefix("nginx-deployment-\(hash)-") == true)
                #expect(p["metadata"]["labels"] == ["app.kubernetes.io/name": "nginx", "pod-template-hash": .string(hash)])
                #expect(p["metadata"]["ownerReferences"].arrayValue?.first?["name"].stringValue == "nginx-deployment-\(hash)")
            }
            #expect(Set(pods.compactMap { $0["spec"]["nodeName"].stringValue }) == ["sim-0", "sim-1"])
            try await eventually(10, "deployment available") {
                try await admin.get(.deployments, namespace: "default", name: "nginx-deployment")["status"]["availableReplicas"] == 3
            }
            #expect(try f.ctl.ok(["rollout", "status", "deployment/nginx-deployment"]) == "deployment \"nginx-deployment\" successfully rolled out\n")
            #expect(Self.withoutAge(try f.ctl.ok(["get", "deployments"])) == "NAME READY UP-TO-DATE AVAILABLE\nnginx-deployment 3/3 3 3")
            let wide = try f.ctl.ok(["get", "deploy", "nginx-deployment", "-o", "wide"]).split(separator: "\n").map {
                $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            }
            #expect(wide.first == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"])
            #expect(wide.last.map { Array($0.prefix(4)) + Array($0.suffix(3)) } == ["nginx-deployment", "3/3", "3", "3", "nginx", "nginx:1.14.2", "app.kubernetes.io/name=nginx"])

            // The hash is the same after a restart of the hub: no second ReplicaSet.
            f.server.stop()
            try f.server.restart()
            let again = Client(config: f.server.clientConfig())
            defer { again.close() }
            try await eventually(15, "the hub back") { try await again.list(.deployments, namespace: "default").items.count == 1 }
            _ = try await again.patch(.deployments, namespace: "default", name: "nginx-deployment", ["metadata": ["labels": ["touched": "yes"]]])
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await Self.rsNames(again) == ["nginx-deployment-\(hash)"])

            // Scale to 5 and back.
            _ = try f.ctl.ok(["scale", "deployment", "nginx-deployment", "--replicas", "5"])
            try await eventually(15, "5 available pods") { try await Self.pods(again).filter(Self.isAvailable).count == 5 }
            _ = try f.ctl.ok(["scale", "deployment/nginx-deployment", "--replicas=3"])
            try await eventually(15, "3 pods") { try await Self.pods(again).count == 3 }
            #expect(try await Self.rsNames(again) == ["nginx-deployment-\(hash)"])
        }
    }

    /// `set image` rolls every pod over without ever having fewer than
    /// replicas - maxUnavailable (3 - 0) available pods, nor more than replicas + maxSurge
    /// (3 + 1) pods; `rollout undo` brings the first template (and its ReplicaSet) back.
    @Test func rollingUpdateKeepsAvailabilityAndUndoBringsTheOldTemplateBack() async throws {
        try await Self.cluster(nodes: 2) { f, admin in
            _ = try f.ctl.ok(["apply", "-f", Self.nginx])
            try await eventually(15, "3 available pods") { try await Self.pods(admin).filter(Self.isAvailable).count == 3 }
            try await eventually(10, "deployment available") {
                try await admin.get(.deployments, namespace: "default", name: "nginx-deployment")["status"]["availableReplicas"] == 3
            }
            let firstRS = try await Self.rsNames(admin)
            let watcher = Client(config: f.server.clientConfig())
            defer { watcher.close() }
            let lowest = Locked(Int.max), highest = Locked(0), stop = Locked(false)
            let watch = Task {
                while !stop.withLock({ $0 }) {
                    guard let pods = try? await Self.pods(watcher) else { continue }
                    let available = pods.filter(Self.isAvailable).count
                    let live = pods.filter { $0["metadata"]["deletionTimestamp"].isNull }.count
                    lowest.withLock { $0 = min($0, available) }
                    highest.withLock { $0 = max($0, live) }
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            #expect(try f.ctl.ok(["set", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1"]) == "deployment.apps/nginx-deployment image updated\n")
            // The Deployment's annotations go to its new ReplicaSet: the change cause of revision 2.
            _ = try f.ctl.ok(["annotate", "deployment/nginx-deployment", "kubernetes.io/change-cause=image updated to 1.16.1"])
            try await eventually(20, "every pod on the new image") {
                try await Self.settled(admin, on: "nginx:1.16.1")
            }
            stop.withLock { $0 = true }
            await watch.value
            #expect(lowest.withLock { $0 } == 3)
            #expect(highest.withLock { $0 } == 4)
            #expect(try f.ctl.ok(["rollout", "status", "deployment/nginx-deployment"]) == "deployment \"nginx-deployment\" successfully rolled out\n")
            #expect(try f.ctl.ok(["rollout", "history", "deployment/nginx-deployment"])
                == "deployment.apps/nginx-deployment \nREVISION  CHANGE-CAUSE\n1         <none>\n2         image updated to 1.16.1\n\n")
            // Unchanged images: nothing to say, as kubectl.
            #expect(try f.ctl.ok(["set", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1"]) == "")
            let missing = try f.ctl.run(["set", "image", "deployment/nginx-deployment", "web=nginx:1.16.1"])
            #expect(missing.code == 1 && missing.stderr == "error: unable to find container named \"web\"\n")

            #expect(try f.ctl.ok(["rollout", "undo", "deployment/nginx-deployment"]) == "deployment.apps/nginx-deployment rolled back\n")
            try await eventually(20, "every pod back on the old image") {
                try await Self.settled(admin, on: "nginx:1.14.2")
            }
            let owners = Set(try await Self.pods(admin).compactMap { $0["metadata"]["ownerReferences"].arrayValue?.first?["name"].stringValue })
            #expect(owners == Set(firstRS))
            #expect(try f.ctl.ok(["rollout", "history", "deploy", "nginx-deployment"])
                == "deployment.apps/nginx-deployment \nREVISION  CHANGE-CAUSE\n2         image updated to 1.16.1\n3         <none>\n\n")
            let d = try await admin.get(.deployments, namespace: "default", name: "nginx-deployment")
            #expect(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3")
            #expect(d["spec"]["template"]["metadata"]["labels"] == ["app.kubernetes.io/name": "nginx"])
            let gone = try f.ctl.run(["rollout", "undo", "deployment/nginx-deployment", "--to-revision=7"])
            #expect(gone.code == 1 && gone.stderr == "error: unable to find specified revision 7 in history\n")
        }
    }

    @Test func pauseResumeRestartAndTheirMessages() async throws {
        try await Self.cluster(nodes: 2) { f, admin in
            _ = try f.ctl.ok(["apply", "-f", Self.nginx])
            try await eventually(15, "3 available pods") { try await Self.pods(admin).filter(Self.isAvailable).count == 3 }
            #expect(try f.ctl.ok(["rollout", "pause", "deployment/nginx-deployment"]) == "deployment.apps/nginx-deployment paused\n")
            let again = try f.ctl.run(["rollout", "pause", "deployment/nginx-deployment"])
            #expect(again.code == 1 && again.stderr == "error: deployments.apps \"nginx-deployment\" is already paused\n")
            let restartPaused = try f.ctl.run(["rollout", "restart", "deployment/nginx-deployment"])
            #expect(restartPaused.code == 1
                && restartPaused.stderr == "error: deployments.apps \"nginx-deployment\" can't restart paused deployment (run rollout resume first)\n")
            let undoPaused = try f.ctl.run(["rollout", "undo", "deployment/nginx-deployment"])
            #expect(undoPaused.code == 1
                && undoPaused.stderr == "error: you cannot rollback a paused deployment; resume it first with 'ctl rollout resume' and try again\n")
            // Paused: a new template makes no new ReplicaSet.
            _ = try f.ctl.ok(["set", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1"])
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await Self.rsNames(admin).count == 1)
            try await eventually(5, "the paused condition") {
                let d = try await admin.get(.deployments, namespace: "default", name: "nginx-deployment")
                return (d["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Progressing" && $0["reason"] == "DeploymentPaused" }
            }
            // Observed but not rolled: what status says once, without waiting.
            try await eventually(5, "the new generation observed") {
                let d = try await admin.get(.deployments, namespace: "default", name: "nginx-deployment")
                return d["status"]["observedGeneration"] == d["metadata"]["generation"]
            }
            #expect(try f.ctl.ok(["rollout", "status", "deployment/nginx-deployment", "--watch=false"])
                == "Waiting for deployment \"nginx-deployment\" rollout to finish: 0 out of 3 new replicas have been updated...\n")
            #expect(try f.ctl.ok(["rollout", "resume", "deployment/nginx-deployment"]) == "deployment.apps/nginx-deployment resumed\n")
            let notPaused = try f.ctl.run(["rollout", "resume", "deployment/nginx-deployment"])
            #expect(notPaused.code == 1 && notPaused.stderr == "error: deployments.apps \"nginx-deployment\" is not paused\n")
            let status = try f.ctl.ok(["rollout", "status", "deployment/nginx-deployment", "--timeout=30s"])
            #expect(status.hasSuffix("deployment \"nginx-deployment\" successfully rolled out\n"))
            for line in status.split(separator: "\n").dropLast() {
                #expect(line.hasPrefix("Waiting for deployment \"nginx-deployment\" rollout to finish: ") || line == "Waiting for deployment spec update to be observed...",
                        "\(line)")
            }
            try await eventually(15, "the new image everywhere") {
                try await Self.settled(admin, on: "nginx:1.16.1")
            }
            #expect(try f.ctl.ok(["rollout", "restart", "deployment/nginx-deployment"]) == "deployment.apps/nginx-deployment restarted\n")
            let d = try await admin.get(.deployments, namespace: "default", name: "nginx-deployment")
            #expect(d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"].stringValue != nil)
            try await eventually(15, "three ReplicaSets") { try await Self.rsNames(admin).count == 3 }
            _ = try f.ctl.ok(["rollout", "status", "deployment/nginx-deployment", "--timeout=30s"])
            let restarted = try await Self.pods(admin)
            #expect(restarted.count == 3)
            let newest = try await admin.get(.replicaSets, namespace: "default",
                                             name: restarted.first?["metadata"]["ownerReferences"].arrayValue?.first?["name"].stringValue ?? "")
            #expect(newest["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3")
        }
    }

    /// No nodes: the pods stay Pending, so the rollout waits for availability (and
    /// `--timeout` ends the wait with kubectl's message).
    @Test func rolloutStatusWaitsForAvailablePods() async throws {
        let f = try Fixture()
        defer { f.close() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        _ = try f.ctl.ok(["apply", "-f", Self.nginx])
        try await eventually(10, "3 updated replicas") {
            let d = try await admin.get(.deployments, namespace: "default", name: "nginx-deployment")
            return d["status"]["updatedReplicas"] == 3 && d["status"]["replicas"] == 3 && d["status"]["observedGeneration"] == d["metadata"]["generation"]
        }
        #expect(try f.ctl.ok(["rollout", "status", "deploy/nginx-deployment", "-w=false"])
            == "Waiting for deployment \"nginx-deployment\" rollout to finish: 0 of 3 updated replicas are available...\n")
        let waited = try f.ctl.run(["rollout", "status", "deploy/nginx-deployment", "--timeout=1s"])
        #expect(waited.code == 1)
        #expect(waited.stdout == "Waiting for deployment \"nginx-deployment\" rollout to finish: 0 of 3 updated replicas are available...\n")
        #expect(waited.stderr == "error: timed out waiting for the condition\n")
        let d = try await admin.get(.deployments, namespace: "default", name: "nginx-deployment")
        let available = (d["status"]["conditions"].arrayValue ?? []).first { $0["type"] == "Available" }
        #expect(available?["status"] == "False" && available?["reason"] == "MinimumReplicasUnavailable")
        #expect(d["status"]["unavailableReplicas"] == 3)
    }

    @Test func describeDeploymentInKubectlLayout() async throws {
        try await Self.cluster(nodes: 1) { f, admin in
            _ = try f.ctl.ok(["apply", "-f", Self.nginx])
            try await eventually(15, "rolled out") {
                let d = try await admin.get(.deployments, namespace: "default", name: "nginx-deployment")
                return (d["status"]["conditions"].arrayValue ?? []).contains { $0["reason"] == "NewReplicaSetAvailable" }
            }
            let hash = try await admin.list(.replicaSets, namespace: "default").items.first?["metadata"]["labels"]["pod-template-hash"].stringValue ?? ""
            var out = try f.ctl.ok(["describe", "deployment", "nginx-deployment"])
            // The times vary: the creation date, and the event's age (`0s`, `1s`...).
            out = out.replacingOccurrences(of: #"CreationTimestamp:      [^\n]+"#, with: "CreationTimestamp:      <date>", options: .regularExpression)
            out = out.replacingOccurrences(of: #"ScalingReplicaSet  \d+s    "#, with: "ScalingReplicaSet  <age>  ", options: .regularExpression)
            #expect(out == """
                Name:                   nginx-deployment
                Namespace:              default
                CreationTimestamp:      <date>
                Labels:                 app.kubernetes.io/name=nginx
                Annotations:            deployment.kubernetes.io/revision: 1
                Selector:               app.kubernetes.io/name=nginx
                Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable
                StrategyType:           RollingUpdate
                MinReadySeconds:        0
                RollingUpdateStrategy:  25% max unavailable, 25% max surge
                Pod Template:
                  Labels:  app.kubernetes.io/name=nginx
                  Containers:
                   nginx:
                    Image:         nginx:1.14.2
                    Port:          80/TCP
                    Host Port:     0/TCP
                    Environment:   <none>
                    Mounts:        <none>
                  Volumes:         <none>
                  Node-Selectors:  <none>
                  Tolerations:     <none>
                Conditions:
                  Type           Status  Reason
                  ----           ------  ------
                  Available      True    MinimumReplicasAvailable
                  Progressing    True    NewReplicaSetAvailable
                OldReplicaSets:  <none>
                NewReplicaSet:   nginx-deployment-\(hash) (3/3 replicas created)
                Events:
                  Type    Reason             Age   From                   Message
                  ----    ------             ----  ----                   -------
                  Normal  ScalingReplicaSet  <age>  deployment-controller  Scaled up replica set nginx-deployment-\(hash) from 0 to 3

                """)
            // One revision's template (`rollout history --revision`).
            let revision1 = try f.ctl.ok(["rollout", "history", "deployment/nginx-deployment", "--revision=1"])
            #expect(revision1 == """
                deployment.apps/nginx-deployment with revision #1
                Pod Template:
                  Labels:  app.kubernetes.io/name=nginx
                           pod-template-hash=\(hash)
                  Containers:
                   nginx:
                    Image:         nginx:1.14.2
                    Port:          80/TCP
                    Host Port:     0/TCP
                    Environment:   <none>
                    Mounts:        <none>
                  Volumes:         <none>
                  Node-Selectors:  <none>
                  Tolerations:     <none>


                """, "\(revision1)")
        }
    }
}
