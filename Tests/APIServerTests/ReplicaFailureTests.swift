import ControllerRuntime
import Foundation
import Testing
@testable import apiserver

/// The `ReplicaFailure` condition: set on a ReplicaSet whose pods the server refuses, copied
/// onto its Deployment, and removed once creations succeed again.
///
/// The refusal is a real one, as in Kubernetes: a template's metadata is not checked the
/// way a pod's is, so a template holding both the `orphan` and `foregroundDeletion`
/// finalizers is stored, and every pod made from it is Invalid (422).
@Suite(.serialized) struct ReplicaFailureTests {
    static let refusal = #"Pod "NAME" is invalid: metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set"#
    static let bothFinalizers: JSON = ["orphan", "foregroundDeletion"]

    /// `text` with generated pod names (`prefix` plus five characters) written `NAME`.
    static func masked(_ text: String, podPrefix prefix: String) -> String {
        text.replacingOccurrences(of: #"\#(prefix)[bcdfghjklmnpqrstvwxz2456789]{5}"#, with: "NAME", options: .regularExpression)
    }

    /// The condition of `type` in `status`, its times checked present and then left out.
    static func condition(_ status: JSON, _ type: String, timeKeys: [String]) -> JSON {
        guard var c = (status["conditions"].arrayValue ?? []).first(where: { $0["type"].stringValue == type }) else { return .null }
        for k in timeKeys {
            #expect(c[k].stringValue.flatMap(Timestamp.parse) != nil, "\(type).\(k)")
            c[k] = .null
        }
        return c
    }

    @Test func aReplicaSetReportsFailedCreateUntilItsPodsCanBeMade() async throws {
        let s = try await ReplicaSetControllerTests.Setup()
        do {
            s.start()
            var rs = ReplicaSetControllerTests.replicaSet("broken", replicas: 2)
            rs[path: ["spec", "template", "metadata", "finalizers"]] = Self.bothFinalizers
            _ = try await s.client.create(.replicaSets, namespace: "default", rs)
            try await eventuallyTrue(5) { try await s.status("broken")["conditions"].arrayValue != nil }
            var status = try await s.status("broken")
            var failure = Self.condition(status, "ReplicaFailure", timeKeys: ["lastTransitionTime"])
            failure["message"] = .string(Self.masked(failure["message"].stringValue ?? "", podPrefix: "broken-"))
            status[path: ["conditions"]] = [failure]
            #expect(status == ["replicas": 0, "observedGeneration": 1,
                               "conditions": [["type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": .string(Self.refusal)]]])
            #expect(try await s.pods().isEmpty)
            try await eventuallyTrue(5) {
                try await s.client.list(.events, namespace: "default").items.contains { $0["reason"] == "FailedCreate" }
            }
            let failed = try await s.client.list(.events, namespace: "default").items.filter { $0["reason"] == "FailedCreate" }
            // One per sync that failed (each names another pod, so they are not one event).
            for e in failed {
                #expect("\(e["type"].stringValue ?? "") \(e["involvedObject"]["kind"].stringValue ?? "")/\(e["involvedObject"]["name"].stringValue ?? "")"
                    == "Warning ReplicaSet/broken")
                #expect(Self.masked(e["message"].stringValue ?? "", podPrefix: "broken-") == "Error creating: " + Self.refusal)
            }

            // The template fixed: the pods are made and the condition goes.
            _ = try await s.client.patch(.replicaSets, namespace: "default", name: "broken",
                                         ["spec": ["template": ["metadata": ["finalizers": .null]]]])
            // The sync that makes them writes the status from the pods it listed before (no
            // condition, replicas 0); the pods' events bring the counts.
            try await eventuallyTrue(5) {
                try await s.status("broken") == ["replicas": 2, "fullyLabeledReplicas": 2, "observedGeneration": 2]
            }
            #expect(try await s.pods().count == 2)
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    /// Both controllers: the Deployment takes its ReplicaSet's condition, and drops it once
    /// no ReplicaSet has one (a Recreate rollout to a template that works).
    @Test func aDeploymentCopiesItsReplicaSetsFailureAndDropsItWithIt() async throws {
        let s = try await InProcessServer.start()
        let factory = SharedInformerFactory(client: s.client)
        let events = EventRecorder(client: s.client, component: "test")
        let controllers = Task {
            async let rs: Void = ReplicaSetController(client: s.client, logger: .init(label: "rs"), events: events).run(factory: factory)
            async let d: Void = DeploymentController(client: s.client, logger: .init(label: "d"), events: events).run(factory: factory)
            _ = await (rs, d)
        }
        factory.start()
        do {
            var d = DeploymentControllerTests.deployment("web", image: "nginx", replicas: 2, strategy: ["type": "Recreate"])
            d[path: ["spec", "template", "metadata", "finalizers"]] = Self.bothFinalizers
            _ = try await s.client.create(.deployments, namespace: "default", d)
            func deployment() async throws -> JSON { try await s.client.get(.deployments, namespace: "default", name: "web") }
            try await eventuallyTrue(10) { try await Self.condition(deployment()["status"], "ReplicaFailure", timeKeys: []) != .null }
            let rsList = try await s.client.list(.replicaSets, namespace: "default").items
            #expect(rsList.count == 1)
            let rsName = rsList.first?["metadata"]["name"].stringValue ?? ""
            let rsCondition = (rsList.first?["status"]["conditions"].arrayValue ?? []).first ?? .null
            var copied = Self.condition(try await deployment()["status"], "ReplicaFailure", timeKeys: [])
            // Both times are the ReplicaSet's lastTransitionTime.
            #expect(copied["lastUpdateTime"] == rsCondition["lastTransitionTime"] && copied["lastTransitionTime"] == rsCondition["lastTransitionTime"])
            copied["lastUpdateTime"] = .null
            copied["lastTransitionTime"] = .null
            copied["message"] = .string(Self.masked(copied["message"].stringValue ?? "", podPrefix: rsName + "-"))
            #expect(copied == ["type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": .string(Self.refusal)])
            // Appended after Progressing (the new ReplicaSet's creation) and Available, as Kubernetes.
            #expect(try await deployment()["status"]["conditions"].arrayValue?.compactMap { $0["type"].stringValue } == ["Progressing", "Available", "ReplicaFailure"])

            _ = try await s.client.patch(.deployments, namespace: "default", name: "web",
                                         ["spec": ["template": ["metadata": ["finalizers": .null]]]])
            try await eventuallyTrue(10) { try await Self.condition(deployment()["status"], "ReplicaFailure", timeKeys: []) == .null }
            #expect(try await deployment()["status"]["conditions"].arrayValue?.compactMap { $0["type"].stringValue }.sorted() == ["Available", "Progressing"])
            let old = try await s.client.get(.replicaSets, namespace: "default", name: rsName)
            #expect(old["spec"]["replicas"] == 0 && old["status"]["conditions"].isNull)
            try await eventuallyTrue(10) { try await s.client.list(.pods, namespace: "default").items.count == 2 }
        } catch { Issue.record("\(error)") }
        controllers.cancel()
        factory.shutDown()
        events.close()
        await s.stop()
    }
}

extension ReplicaFailureTests {
    static func rs(_ name: String, created: String, failure: String? = nil) -> JSON {
        var rs: JSON = ["metadata": ["name": .string(name), "creationTimestamp": .string(created)], "status": ["replicas": 0]]
        if let failure {
            rs[path: ["status", "conditions"]] = [["type": "ReplicaFailure", "status": "True", "lastTransitionTime": "2026-11-30T10:00:00Z",
                                                   "reason": "FailedCreate", "message": .string(failure)]]
        }
        return rs
    }

    /// Kubernetes' `getReplicaFailures`: the new ReplicaSet's failure first, else an old one's
    /// (the newest); `SetDeploymentCondition` keeps a condition whose status and reason
    /// did not change; none left: the condition goes.
    @Test func theDeploymentTakesTheNewReplicaSetsFailureFirst() {
        let old1 = Self.rs("web-1", created: "2026-11-30T09:00:00Z", failure: "old one")
        let old2 = Self.rs("web-2", created: "2026-11-30T09:30:00Z", failure: "newer old one")
        let new = Self.rs("web-3", created: "2026-11-30T09:45:00Z", failure: "new one")
        let available: JSON = ["type": "Available", "status": "True"]
        var s: JSON = ["replicas": 0, "conditions": [available]]
        DeploymentConditions.copyReplicaFailure(&s, all: [old1, old2, new], new: new)
        #expect(s == ["replicas": 0, "conditions": [available,
                      ["type": "ReplicaFailure", "status": "True", "lastUpdateTime": "2026-11-30T10:00:00Z", "lastTransitionTime": "2026-11-30T10:00:00Z",
                       "reason": "FailedCreate", "message": "new one"]]])
        // Same status and reason: the stored condition stays as it is.
        DeploymentConditions.copyReplicaFailure(&s, all: [old1, old2, Self.rs("web-3", created: "2026-11-30T09:45:00Z")], new: nil)
        #expect(s["conditions"].arrayValue?.last?["message"] == "new one")

        var fresh: JSON = ["replicas": 0]
        DeploymentConditions.copyReplicaFailure(&fresh, all: [old1, old2], new: Self.rs("web-3", created: "2026-11-30T09:45:00Z"))
        #expect(fresh["conditions"].arrayValue?.first?["message"] == "newer old one")

        DeploymentConditions.copyReplicaFailure(&s, all: [Self.rs("web-1", created: "2026-11-30T09:00:00Z")], new: nil)
        #expect(s == ["replicas": 0, "conditions": [available]])
    }
}
