import Foundation
import Wire
import Testing
@testable import apiserver

/// A delete's `propagationPolicy` as Kubernetes' generic registry applies it: `Orphan` and
/// `Foreground` put the garbage collector's finalizer on (so the object stays, marked),
/// `Background` takes them off; without a policy a finalizer already there decides, else the
/// kind's default (Orphan for batch/v1 Jobs, with Kubernetes' warning). No collector runs here.
@Suite(.serialized) struct DeletePropagationTests {
    func withServer(_ body: (InProcessServer) async throws -> Void) async throws {
        let s = try await InProcessServer.start()
        do { try await body(s) } catch { Issue.record(error) }
        await s.stop()
    }

    func delete(_ s: InProcessServer, _ type: ResourceType, _ name: String, policy: String? = nil, grace: Int? = nil,
                dryRun: Bool = false) async throws -> Wire.Reply {
        var req = Request(verb: .delete, resource: type.plural, namespace: "default", name: name)
        req.propagationPolicy = policy
        req.gracePeriodSeconds = grace
        req.dryRun = dryRun
        return try await s.client.request(req)
    }

    func finalizers(_ o: JSON) -> JSON { o["metadata"]["finalizers"] }

    static let job: JSON = ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j"],
                            "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox"]]]]]]
    static let jobWarning = "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"

    @Test func orphanAndForegroundMarkTheObjectAndBackgroundLetsItGo() async throws {
        try await withServer { s in
            _ = try await s.client.create(.configMaps, namespace: "default", cm("owner"))
            let orphaned = try await delete(s, .configMaps, "owner", policy: "Orphan")
            #expect(orphaned.warnings == [])
            #expect(finalizers(orphaned.object) == ["orphan"])
            #expect(orphaned.object["metadata"]["deletionGracePeriodSeconds"] == 0)
            let stored = try await s.client.get(.configMaps, namespace: "default", name: "owner")
            #expect(finalizers(stored) == ["orphan"])
            #expect(stored["metadata"]["deletionTimestamp"] == orphaned.object["metadata"]["deletionTimestamp"])
            // A later delete of an object without graceful deletion may switch the policy...
            let foreground = try await delete(s, .configMaps, "owner", policy: "Foreground")
            #expect(finalizers(foreground.object) == ["foregroundDeletion"])
            #expect(foreground.object["metadata"]["deletionTimestamp"] == orphaned.object["metadata"]["deletionTimestamp"])
            // ...and one without a policy keeps the finalizer the object carries.
            #expect(finalizers(try await delete(s, .configMaps, "owner").object) == ["foregroundDeletion"])
            // Background takes it off: nothing holds the object any more.
            _ = try await delete(s, .configMaps, "owner", policy: "Background")
            #expect(try await s.client.getIfPresent(.configMaps, namespace: "default", name: "owner") == nil)
        }
    }

    @Test func otherFinalizersStayAndHoldTheObject() async throws {
        try await withServer { s in
            var held = cm("held")
            held[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            _ = try await s.client.create(.configMaps, namespace: "default", held)
            #expect(finalizers(try await delete(s, .configMaps, "held", policy: "Orphan").object) == ["example.com/hold", "orphan"])
            let background = try await delete(s, .configMaps, "held", policy: "Background")
            #expect(finalizers(background.object) == ["example.com/hold"])
            #expect(try await s.client.get(.configMaps, namespace: "default", name: "held")["metadata"]["deletionTimestamp"].isNull == false)
        }
    }

    @Test func bothCollectorFinalizersAreRefused() async throws {
        try await withServer { s in
            var both = cm("both")
            both[path: ["metadata", "finalizers"]] = ["orphan", "foregroundDeletion"]
            do {
                _ = try await s.client.create(.configMaps, namespace: "default", both)
                Issue.record("created")
            } catch let error as Status {
                #expect(error.code == 422)
                #expect(error.message == #"ConfigMap "both" is invalid: metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set"#)
            }
        }
    }

    @Test func jobsOrphanByDefaultWithKubernetesWarning() async throws {
        try await withServer { s in
            _ = try await s.client.create(.jobs, namespace: "default", Self.job)
            let first = try await delete(s, .jobs, "j")
            #expect(first.warnings == [Self.jobWarning])
            #expect(finalizers(first.object) == ["orphan"])
            // The first mark counts as a change of an object that tracks its generation.
            #expect(first.object["metadata"]["generation"] == 2)
            // Naming a policy silences the warning; Background lets the Job go.
            let second = try await delete(s, .jobs, "j", policy: "Background")
            #expect(second.warnings == [])
            #expect(try await s.client.getIfPresent(.jobs, namespace: "default", name: "j") == nil)
            // deletecollection warns the same way.
            _ = try await s.client.create(.jobs, namespace: "default", Self.job)
            let all = try await s.client.request(Request(verb: .deletecollection, resource: "jobs", namespace: "default"))
            #expect(all.warnings == [Self.jobWarning])
            #expect(finalizers(try await s.client.get(.jobs, namespace: "default", name: "j")) == ["orphan"])
            // Other kinds default to Background, without a warning.
            _ = try await s.client.create(.configMaps, namespace: "default", cm("plain"))
            #expect(try await delete(s, .configMaps, "plain").warnings == [])
            #expect(try await s.client.getIfPresent(.configMaps, namespace: "default", name: "plain") == nil)
        }
    }

    @Test func podsCombineGracefulDeletionWithTheFinalizers() async throws {
        try await withServer { s in
            _ = try await s.client.create(.pods, namespace: "default", podObject("bound", node: "n1"))
            let marked = try await delete(s, .pods, "bound", policy: "Foreground")
            #expect(finalizers(marked.object) == ["foregroundDeletion"])
            #expect(marked.object["metadata"]["deletionGracePeriodSeconds"] == 30)
            // Within its grace a delete that does not shorten it changes nothing, finalizers included.
            #expect(finalizers(try await delete(s, .pods, "bound", policy: "Orphan").object) == ["foregroundDeletion"])
            // The kubelet's grace-0 delete: the finalizer still holds the pod, now with grace 0.
            let kubelet = try await delete(s, .pods, "bound", grace: 0)
            #expect(finalizers(kubelet.object) == ["foregroundDeletion"])
            #expect(kubelet.object["metadata"]["deletionGracePeriodSeconds"] == 0)
            _ = try await s.client.patch(.pods, namespace: "default", name: "bound", ["metadata": ["finalizers": .null]])
            #expect(try await s.client.getIfPresent(.pods, namespace: "default", name: "bound") == nil)

            // An unbound pod has no grace; Orphan still marks it (grace 0) until the finalizer goes.
            _ = try await s.client.create(.pods, namespace: "default", podObject("pending", node: nil))
            let pending = try await delete(s, .pods, "pending", policy: "Orphan")
            #expect(finalizers(pending.object) == ["orphan"])
            #expect(pending.object["metadata"]["deletionGracePeriodSeconds"] == 0)
            _ = try await delete(s, .pods, "pending", policy: "Background")
            #expect(try await s.client.getIfPresent(.pods, namespace: "default", name: "pending") == nil)
        }
    }

    @Test func aDryRunChangesNothing() async throws {
        try await withServer { s in
            let created = try await s.client.create(.configMaps, namespace: "default", cm("dry"))
            let answer = try await delete(s, .configMaps, "dry", policy: "Foreground", dryRun: true)
            #expect(finalizers(answer.object) == ["foregroundDeletion"])
            #expect(try await s.client.get(.configMaps, namespace: "default", name: "dry") == created)
        }
    }

    @Test func anUnknownPolicyIsRefused() async throws {
        try await withServer { s in
            _ = try await s.client.create(.configMaps, namespace: "default", cm("kept"))
            for verb in [Verb.delete, .deletecollection] {
                var req = Request(verb: verb, resource: "configmaps", namespace: "default", name: verb == .delete ? "kept" : nil)
                req.propagationPolicy = "Sideways"
                do {
                    _ = try await s.client.request(req)
                    Issue.record("accepted")
                } catch let error as Status {
                    #expect(error.code == 400)
                    #expect(error.message == #"propagationPolicy "Sideways" is not one of Background, Foreground, Orphan"#)
                }
            }
            #expect(try await s.client.getIfPresent(.configMaps, namespace: "default", name: "kept") != nil)
        }
    }
}
