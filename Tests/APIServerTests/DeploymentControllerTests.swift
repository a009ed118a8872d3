import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// The deployment controller against a real in-process server, without the ReplicaSet
/// controller: the test plays it by writing the ReplicaSets' status, and checks each
/// decision the deployment controller takes in between.
@Suite(.serialized) struct DeploymentControllerTests {
    static func deployment(_ name: String, image: String, replicas: Int = 3, strategy: JSON = .null) -> JSON {
        var d: JSON = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
                       "spec": ["replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                                "template": ["metadata": ["labels": ["app": .string(name)]],
                                             "spec": ["containers": [["name": "web", "image": .string(image)]]]]]]
        if !strategy.isNull { d[path: ["spec", "strategy"]] = strategy }
        return d
    }

    struct Env {
        let s: InProcessServer
        func rsList(_ owner: String) async throws -> [JSON] {
            try await s.client.list(.replicaSets, namespace: "default").items
                .filter { ($0["metadata"]["ownerReferences"].arrayValue ?? []).contains { $0["name"].stringValue == owner } }
                // By revision: creation times have whole seconds only.
                .sorted { revision($0) < revision($1) }
        }

        func revision(_ rs: JSON) -> Int { Int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"].stringValue ?? "") ?? 0 }

        func deployment(_ name: String) async throws -> JSON { try await s.client.get(.deployments, namespace: "default", name: name) }

        /// Plays the ReplicaSet controller: every pod asked for exists and is available.
        /// (Retried when the deployment controller wrote the ReplicaSet in between.)
        func settle(_ rs: JSON, available: Int? = nil) async throws {
            for _ in 0..<20 {
                var fresh = try await s.client.get(.replicaSets, namespace: "default", name: rs["metadata"]["name"].stringValue ?? "")
                let n = fresh["spec"]["replicas"].intValue ?? 0
                fresh[path: ["status"]] = ["replicas": .int(n), "fullyLabeledReplicas": .int(n), "readyReplicas": .int(available ?? n),
                                           "availableReplicas": .int(available ?? n), "observedGeneration": fresh["metadata"]["generation"]]
                let written = await writeStatus(fresh)
                if written { return }
            }
            Issue.record("could not write the status of \(rs["metadata"]["name"])")
        }

        func writeStatus(_ rs: JSON) async -> Bool {
            do {
                _ = try await s.client.update(.replicaSets, rs, status: true)
                return true
            } catch {
                return false
            }
        }

        func condition(_ d: JSON, _ type: String) -> JSON {
            var c = (d["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == type } ?? .null
            if !c.isNull { c["lastUpdateTime"] = .null; c["lastTransitionTime"] = .null }
            return c
        }
    }

    func withController(_ body: (Env) async throws -> Void) async throws {
        let s = try await InProcessServer.start()
        let factory = SharedInformerFactory(client: s.client)
        let events = EventRecorder(client: s.client, component: DeploymentController.component)
        let run = Task { await DeploymentController(client: s.client, logger: .init(label: "test"), events: events).run(factory: factory) }
        factory.start()
        do {
            try await body(Env(s: s))
        } catch {
            Issue.record(error)
        }
        run.cancel()
        factory.shutDown()
        events.close()
        await s.stop()
    }

    @Test func createsTheReplicaSetWithHashRevisionAndConditions() async throws {
        try await withController { env in
            _ = try await env.s.client.create(.deployments, namespace: "default", Self.deployment("web", image: "nginx:1.14.2"))
            var list: [JSON] = []
            try await eventuallyTrue(5) { list = try await env.rsList("web"); return list.count == 1 }
            let rs = list[0]
            let hash = rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"].stringValue ?? ""
            #expect(!hash.isEmpty && hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
            #expect(rs["metadata"]["name"].stringValue == "web-\(hash)")
            #expect(rs["metadata"]["labels"] == ["app": "web", "pod-template-hash": .string(hash)])
            #expect(rs["spec"]["selector"] == ["matchLabels": ["app": "web", "pod-template-hash": .string(hash)]])
            #expect(rs["spec"]["replicas"] == 3)
            #expect(rs["metadata"]["annotations"] == ["deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": "3",
                                                       "deployment.kubernetes.io/max-replicas": "4"])
            let ref = rs["metadata"]["ownerReferences"].arrayValue?.first ?? .null
            #expect(ref["kind"] == "Deployment" && ref["name"] == "web" && ref["controller"] == true && ref["blockOwnerDeletion"] == true)
            var d = try await env.deployment("web")
            try await eventuallyTrue(5) { d = try await env.deployment("web"); return !env.condition(d, "Progressing").isNull }
            #expect(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1")
            #expect(env.condition(d, "Progressing") == ["type": "Progressing", "status": "True", "reason": "NewReplicaSetCreated",
                                                        "message": .string("Created new replica set \"web-\(hash)\"")])
            try await eventuallyTrue(5) { d = try await env.deployment("web"); return !env.condition(d, "Available").isNull }
            #expect(env.condition(d, "Available") == ["type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
                                                      "message": "Deployment does not have minimum availability."])
            try await env.settle(rs)
            try await eventuallyTrue(5) { d = try await env.deployment("web"); return d["status"]["availableReplicas"] == 3 }
            try await eventuallyTrue(5) { d = try await env.deployment("web"); return env.condition(d, "Progressing")["reason"] == "NewReplicaSetAvailable" }
            #expect(env.condition(d, "Available") == ["type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                                                      "message": "Deployment has minimum availability."])
            #expect(env.condition(d, "Progressing")["message"] == .string("ReplicaSet \"web-\(hash)\" has successfully progressed."))
            #expect(d["status"]["replicas"] == 3 && d["status"]["updatedReplicas"] == 3 && d["status"]["readyReplicas"] == 3
                && d["status"]["unavailableReplicas"] == 0 && d["status"]["observedGeneration"] == d["metadata"]["generation"])

            // The same template in another Deployment hashes the same (stable, not random).
            _ = try await env.s.client.create(.deployments, namespace: "default", Self.deployment("web", image: "nginx:1.14.2").replacing(name: "web2"))
            var other: [JSON] = []
            try await eventuallyTrue(5) { other = try await env.rsList("web2"); return other.count == 1 }
            #expect(other.first?["metadata"]["name"].stringValue == "web2-\(hash)")
        }
    }

    /// replicas 3, maxSurge 1 (25% rounded up), maxUnavailable 0 (25% rounded down): the
    /// new ReplicaSet grows by one only once the pods before are available, the old one
    /// shrinks by what became available; then the old template comes back as revision 3.
    @Test func rollingUpdateStepsAndRollback() async throws {
        try await withController { env in
            _ = try await env.s.client.create(.deployments, namespace: "default", Self.deployment("web", image: "nginx:1.14.2"))
            var list: [JSON] = []
            try await eventuallyTrue(5) { list = try await env.rsList("web"); return list.count == 1 }
            try await env.settle(list[0])
            try await eventuallyTrue(5) { try await env.deployment("web")["status"]["availableReplicas"] == 3 }
            _ = try await env.s.client.patch(.deployments, namespace: "default", name: "web",
                                             ["spec": ["template": ["spec": ["containers": [["name": "web", "image": "nginx:1.16.1"]]]]]])
            try await eventuallyTrue(5) { list = try await env.rsList("web"); return list.count == 2 }
            let oldName = list[0]["metadata"]["name"].stringValue ?? "", newName = list[1]["metadata"]["name"].stringValue ?? ""
            func sizes() async throws -> [Int] { try await env.rsList("web").map { $0["spec"]["replicas"].intValue ?? -1 } }
            #expect(list[1]["spec"]["replicas"] == 1)
            #expect(list[1]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2")
            #expect(try await sizes() == [3, 1])
            // Nothing moves while the new pod is not available.
            try await env.settle(list[1], available: 0)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await sizes() == [3, 1])
            // What becomes available lets as many old pods go, and as many new ones come
            // within 4 pods in all: each round settles at these sizes.
            var expected: [[Int]] = [[2, 2], [1, 3], [0, 3]]
            while !expected.isEmpty {
                let want = expected.removeFirst()
                for rs in try await env.rsList("web") { try await env.settle(rs) }
                try await eventuallyTrue(5) { try await sizes() == want }
                #expect(try await sizes() == want)
            }
            for rs in try await env.rsList("web") { try await env.settle(rs) }
            var d = try await env.deployment("web")
            try await eventuallyTrue(5) { d = try await env.deployment("web"); return env.condition(d, "Progressing")["reason"] == "NewReplicaSetAvailable" }
            #expect(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2")
            let events = try await env.s.client.list(.events, namespace: "default").items
                .filter { $0["reason"] == "ScalingReplicaSet" }.compactMap { $0["message"].stringValue }
            #expect(events.contains("Scaled up replica set \(newName) from 0 to 1"))
            #expect(events.contains("Scaled down replica set \(oldName) from 3 to 2"))
            #expect(events.contains("Scaled down replica set \(oldName) from 1 to 0"))

            // The first template back: its ReplicaSet is revision 3 and remembers revision 1.
            _ = try await env.s.client.patch(.deployments, namespace: "default", name: "web",
                                             ["spec": ["template": ["spec": ["containers": [["name": "web", "image": "nginx:1.14.2"]]]]]])
            try await eventuallyTrue(5) {
                try await env.s.client.get(.replicaSets, namespace: "default", name: oldName)["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
            }
            let back = try await env.s.client.get(.replicaSets, namespace: "default", name: oldName)
            #expect(back["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1")
            #expect(try await env.rsList("web").count == 2)
            try await eventuallyTrue(5) { try await env.deployment("web")["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3" }
        }
    }

    @Test func pausedDeploymentsScaleButDoNotRollAndSaySo() async throws {
        try await withController { env in
            _ = try await env.s.client.create(.deployments, namespace: "default", Self.deployment("web", image: "nginx:1.14.2"))
            var list: [JSON] = []
            try await eventuallyTrue(5) { list = try await env.rsList("web"); return list.count == 1 }
            try await env.settle(list[0])
            _ = try await env.s.client.patch(.deployments, namespace: "default", name: "web", ["spec": ["paused": true]])
            var d = try await env.deployment("web")
            try await eventuallyTrue(5) { d = try await env.deployment("web"); return env.condition(d, "Progressing")["reason"] == "DeploymentPaused" }
            #expect(env.condition(d, "Progressing") == ["type": "Progressing", "status": "Unknown", "reason": "DeploymentPaused", "message": "Deployment is paused"])
            _ = try await env.s.client.patch(.deployments, namespace: "default", name: "web",
                                             ["spec": ["replicas": 5, "template": ["spec": ["containers": [["name": "web", "image": "nginx:1.16.1"]]]]]])
            try await eventuallyTrue(5) { try await env.rsList("web").first?["spec"]["replicas"] == 5 }
            #expect(try await env.rsList("web").count == 1)
            _ = try await env.s.client.patch(.deployments, namespace: "default", name: "web", ["spec": ["paused": false]])
            try await eventuallyTrue(5) { try await env.rsList("web").count == 2 }
            d = try await env.deployment("web")
            #expect(["DeploymentResumed", "NewReplicaSetCreated", "ReplicaSetUpdated"].contains(env.condition(d, "Progressing")["reason"].stringValue ?? ""))
        }
    }

    /// An orphan ReplicaSet the selector matches is adopted; one that stops matching is
    /// released; one another controller owns is left alone.
    @Test func adoptsAndReleasesReplicaSets() async throws {
        try await withController { env in
            let template: JSON = ["metadata": ["labels": ["app": "web", "pod-template-hash": "old1"]],
                                  "spec": ["containers": [["name": "web", "image": "nginx:1.0"]]]]
            let orphan: JSON = ["apiVersion": "apps/v1", "kind": "ReplicaSet",
                                "metadata": ["name": "web-old1", "labels": ["app": "web", "pod-template-hash": "old1"]],
                                "spec": ["replicas": 0, "selector": ["matchLabels": ["app": "web", "pod-template-hash": "old1"]], "template": template]]
            _ = try await env.s.client.create(.replicaSets, namespace: "default", orphan)
            var owned = orphan
            owned[path: ["metadata", "name"]] = "someone-elses"
            owned[path: ["metadata", "ownerReferences"]] = [["apiVersion": "apps/v1", "kind": "Deployment", "name": "other", "uid": "u-1", "controller": true]]
            _ = try await env.s.client.create(.replicaSets, namespace: "default", owned)
            _ = try await env.s.client.create(.deployments, namespace: "default", Self.deployment("web", image: "nginx:1.14.2"))
            let uid = try await env.deployment("web")["metadata"]["uid"]
            try await eventuallyTrue(5) {
                let rs = try await env.s.client.get(.replicaSets, namespace: "default", name: "web-old1")
                return rs["metadata"]["ownerReferences"].arrayValue?.first?["uid"] == uid
            }
            let other = try await env.s.client.get(.replicaSets, namespace: "default", name: "someone-elses")
            #expect(other["metadata"]["ownerReferences"].arrayValue?.first?["uid"] == "u-1")
            // Its labels no longer match: released.
            _ = try await env.s.client.patch(.replicaSets, namespace: "default", name: "web-old1", ["metadata": ["labels": ["app": "gone"]]])
            try await eventuallyTrue(5) {
                try await env.s.client.get(.replicaSets, namespace: "default", name: "web-old1")["metadata"]["ownerReferences"].isNull
            }
        }
    }

    /// revisionHistoryLimit 1: once a rollout is complete, old ReplicaSets scaled to 0 beyond
    /// the newest old one are deleted, lowest revision first.
    @Test func oldReplicaSetsBeyondTheHistoryLimitAreDeleted() async throws {
        try await withController { env in
            var d = Self.deployment("web", image: "v1", replicas: 1)
            d[path: ["spec", "revisionHistoryLimit"]] = 1
            _ = try await env.s.client.create(.deployments, namespace: "default", d)
            var first = ""
            for (i, image) in ["v1", "v2", "v3"].enumerated() {
                if i > 0 {
                    _ = try await env.s.client.patch(.deployments, namespace: "default", name: "web",
                                                     ["spec": ["template": ["spec": ["containers": [["name": "web", "image": .string(image)]]]]]])
                }
                // Play the ReplicaSet controller until this template's rollout is complete.
                try await eventuallyTrue(10) {
                    for rs in try await env.rsList("web") { try await env.settle(rs) }
                    let now = try await env.deployment("web")
                    return env.condition(now, "Progressing")["reason"] == "NewReplicaSetAvailable"
                        && now["status"]["observedGeneration"] == now["metadata"]["generation"]
                        && now["status"]["updatedReplicas"] == 1 && now["status"]["replicas"] == 1
                }
                if i == 0 { first = try await env.rsList("web").first?["metadata"]["name"].stringValue ?? "" }
            }
            try await eventuallyTrue(10) { try await env.rsList("web").count == 2 }
            let left = try await env.rsList("web")
            #expect(!left.contains { $0["metadata"]["name"].stringValue == first })
            #expect(left.map { $0["metadata"]["annotations"]["deployment.kubernetes.io/revision"].stringValue ?? "" }.sorted() == ["2", "3"])
        }
    }

    @Test func recreateEmptiesTheOldReplicaSetBeforeMakingTheNew() async throws {
        try await withController { env in
            _ = try await env.s.client.create(.deployments, namespace: "default",
                                              Self.deployment("web", image: "nginx:1.14.2", strategy: ["type": "Recreate"]))
            var list: [JSON] = []
            try await eventuallyTrue(5) { list = try await env.rsList("web"); return list.count == 1 }
            try await env.settle(list[0])
            _ = try await env.s.client.patch(.deployments, namespace: "default", name: "web",
                                             ["spec": ["template": ["spec": ["containers": [["name": "web", "image": "nginx:1.16.1"]]]]]])
            try await eventuallyTrue(5) { try await env.rsList("web").first?["spec"]["replicas"] == 0 }
            try await Task.sleep(for: .milliseconds(300))
            // Its pods still counted: no new ReplicaSet yet.
            #expect(try await env.rsList("web").count == 1)
            try await env.settle(list[0])
            try await eventuallyTrue(5) { try await env.rsList("web").count == 2 }
            #expect(try await env.rsList("web").map { $0["spec"]["replicas"].intValue ?? -1 } == [0, 3])
        }
    }
}

private extension JSON {
    func replacing(name: String) -> JSON {
        var d = self
        d[path: ["metadata", "name"]] = .string(name)
        return d
    }
}
