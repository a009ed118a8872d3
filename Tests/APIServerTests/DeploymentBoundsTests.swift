import Testing
@testable import apiserver

/// A Deployment's client-written numbers are bounded where they come in (IntOrString holds
/// an int32, a surge percentage's number too), and the controller survives ones stored
/// before those bounds or written where none apply (a ReplicaSet's revision annotation).
@Suite(.serialized) struct DeploymentBoundsTests {
    func create(_ s: InProcessServer, strategy: JSON) async -> (code: Int, message: String)? {
        let d = DeploymentControllerTests.deployment("web", image: "nginx", strategy: strategy)
        do {
            _ = try await s.client.create(.deployments, namespace: "default", d)
            _ = try? await s.client.delete(.deployments, namespace: "default", name: "web")
            return nil
        } catch {
            return (error.code, error.message)
        }
    }

    @Test func surgeAndUnavailableAreInt32() async throws {
        let s = try await InProcessServer.start()
        let big = await create(s, strategy: ["rollingUpdate": ["maxSurge": 9223372036854775807]])
        #expect(big?.code == 400)
        #expect(big?.message == "Deployment in version \"v1\" cannot be handled as a Deployment: spec.strategy.rollingUpdate.maxSurge: 9223372036854775807 is not a 32-bit integer")
        let past = await create(s, strategy: ["rollingUpdate": ["maxUnavailable": .number("2147483648")]])
        #expect(past?.code == 400)
        #expect(past?.message == "Deployment in version \"v1\" cannot be handled as a Deployment: spec.strategy.rollingUpdate.maxUnavailable: 2147483648 is not a 32-bit integer")
        let percent = await create(s, strategy: ["rollingUpdate": ["maxSurge": "9223372036854775807%"]])
        #expect(percent?.code == 422)
        #expect(percent?.message == "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxSurge: Invalid value: \"9223372036854775807%\": must not be greater than 2147483647%")
        let digits = await create(s, strategy: ["rollingUpdate": ["maxSurge": "99999999999999999999%", "maxUnavailable": "99999999999999999999%"]])
        #expect(digits?.code == 422)
        #expect(digits?.message == "Deployment.apps \"web\" is invalid: [spec.strategy.rollingUpdate.maxSurge: Invalid value: \"99999999999999999999%\": must not be greater than 2147483647%, spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"99999999999999999999%\": must not be greater than 100%]")
        #expect(try await s.client.list(.deployments, namespace: "default").items.isEmpty)
        // The largest of each passes.
        #expect(await create(s, strategy: ["rollingUpdate": ["maxSurge": "2147483647%", "maxUnavailable": 2147483647]]) == nil)
        await s.stop()
    }

    /// A maxSurge stored before validation bounded it: the controller logs it and leaves the
    /// Deployment alone (no trap, no write), and goes on once it is fixed.
    @Test func aStoredHugeSurgeStopsOnlyThatDeployment() async throws {
        try await DeploymentControllerTests().withController { env in
            _ = try await env.s.client.create(.deployments, namespace: "default", DeploymentControllerTests.deployment("web", image: "nginx:1"))
            var list: [JSON] = []
            try await eventuallyTrue(5) { list = try await env.rsList("web"); return list.count == 1 }
            let store = await env.s.store
            let key = APIService.Target(strategy: try Registry.standard.strategy(for: "deployments"), namespace: "default").key("web")
            _ = try await store.mutate { tx throws(Status) -> WriteOutcome in
                guard let cur = try tx.get(key) else { throw Status.internalError("web is not stored") }
                var o = try cur.json()
                o[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] = .number("9223372036854775807")
                o[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "nginx:2"]]
                let w = try tx.put(key, o, previous: cur)
                return WriteOutcome(bytes: w.bytes, revision: w.modRevision)
            }
            try await Task.sleep(for: .seconds(1))
            #expect(try await env.rsList("web").count == 1)
            var d = try await env.deployment("web")
            #expect(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == 9223372036854775807)
            d[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] = 1
            _ = try await env.s.client.update(.deployments, d)
            try await eventuallyTrue(5) { try await env.rsList("web").count == 2 }
        }
    }

    /// A ReplicaSet the Deployment adopts carries the largest revision there is: no new
    /// revision is left, and the sync fails with that instead of trapping or wrapping.
    @Test func anAdoptedReplicaSetAtTheLastRevisionFailsTheSync() async throws {
        try await DeploymentControllerTests().withController { env in
            let old = DeploymentControllerTests.deployment("web", image: "nginx:old")
            let rs: JSON = ["apiVersion": "apps/v1", "kind": "ReplicaSet",
                            "metadata": ["name": "web-old", "labels": ["app": "web"],
                                         "annotations": ["deployment.kubernetes.io/revision": "9223372036854775807"]],
                            "spec": ["replicas": 0, "selector": old["spec"]["selector"], "template": old["spec"]["template"]]]
            _ = try await env.s.client.create(.replicaSets, namespace: "default", rs)
            _ = try await env.s.client.create(.deployments, namespace: "default", DeploymentControllerTests.deployment("web", image: "nginx:new"))
            // Adopted (the claim runs before the revision is worked out) ...
            try await eventuallyTrue(5) { try await env.rsList("web").map { $0["metadata"]["name"] } == ["web-old"] }
            try await Task.sleep(for: .seconds(1))
            // ... and nothing else made, the server and controller still up.
            #expect(try await env.s.client.list(.replicaSets, namespace: "default").items.map { $0["metadata"]["name"] } == ["web-old"])
            let d = try await env.deployment("web")
            #expect(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"].isNull)
        }
    }
}
