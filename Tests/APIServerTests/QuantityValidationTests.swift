import Dispatch
import Testing
@testable import apiserver

/// Resource quantities are checked as Kubernetes checks them (`ParseQuantity`'s grammar,
/// non-negative requests, limits and overhead) and must fit Int64 thousandths; a refused
/// object is not stored. Objects stored before these checks can still be updated.
@Suite(.serialized) struct QuantityValidationTests {
    static let format = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    static let tooLarge = "must be less than or equal to 9223372036854775807m"

    static func pod(_ resources: JSON, overhead: JSON = .null, initResources: JSON = .null) -> JSON {
        var spec: JSON = ["containers": [["name": "c", "image": "nginx", "resources": resources]]]
        if !overhead.isNull { spec["overhead"] = overhead }
        if !initResources.isNull { spec["initContainers"] = [["name": "i", "image": "busybox", "resources": initResources]] }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "q"], "spec": spec]
    }

    /// The 422 message of creating `object`, nil if it was created (and then deleted).
    func refusal(_ s: InProcessServer, _ type: ResourceType, _ object: JSON) async -> String? {
        do {
            let made = try await s.client.create(type, namespace: type.namespaced ? "default" : nil, object)
            _ = try? await s.client.delete(type, namespace: type.namespaced ? "default" : nil, name: made["metadata"]["name"].stringValue ?? "", gracePeriodSeconds: 0)
            return nil
        } catch {
            #expect(error.code == 422)
            return error.message
        }
    }

    @Test func podQuantitiesAreRefusedAsKubernetesDoes() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        #expect(await refusal(s, .pods, Self.pod(["requests": ["cpu": "1e400"]]))
            == "Pod \"q\" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: \"1e400\": \(Self.tooLarge)")
        // An unquoted JSON number is read from its literal, as Kubernetes reads it.
        #expect(await refusal(s, .pods, Self.pod(["requests": ["cpu": .number("1e400")]]))
            == "Pod \"q\" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: \"1e400\": \(Self.tooLarge)")
        #expect(await refusal(s, .pods, Self.pod(["requests": ["cpu": "+inf"]]))
            == "Pod \"q\" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: \"+inf\": \(Self.format)")
        #expect(await refusal(s, .pods, Self.pod(["requests": ["memory": "-inf"]]))
            == "Pod \"q\" is invalid: spec.containers[0].resources.requests[memory]: Invalid value: \"-inf\": \(Self.format)")
        #expect(await refusal(s, .pods, Self.pod(["requests": ["memory": "NaN"]]))
            == "Pod \"q\" is invalid: spec.containers[0].resources.requests[memory]: Invalid value: \"NaN\": \(Self.format)")
        #expect(await refusal(s, .pods, Self.pod(["requests": ["memory": "1ki"]]))
            == "Pod \"q\" is invalid: spec.containers[0].resources.requests[memory]: Invalid value: \"1ki\": unable to parse quantity's suffix")
        #expect(await refusal(s, .pods, Self.pod(["requests": ["memory": "1Ei"]]))
            == "Pod \"q\" is invalid: spec.containers[0].resources.requests[memory]: Invalid value: \"1Ei\": \(Self.tooLarge)")
        #expect(await refusal(s, .pods, Self.pod(["requests": ["memory": "10P"]]))
            == "Pod \"q\" is invalid: spec.containers[0].resources.requests[memory]: Invalid value: \"10P\": \(Self.tooLarge)")
        // A negative limit, and the request above it.
        #expect(await refusal(s, .pods, Self.pod(["requests": ["cpu": "100m"], "limits": ["cpu": "-1"]]))
            == "Pod \"q\" is invalid: [spec.containers[0].resources.limits[cpu]: Invalid value: \"-1\": must be greater than or equal to 0, spec.containers[0].resources.requests: Invalid value: \"100m\": must be less than or equal to cpu limit of -1]")
        // Limits are checked (and defaulted into requests, so both are named).
        #expect(await refusal(s, .pods, Self.pod(["requests": ["cpu": "100m"], "limits": ["memory": "1e19"]]))
            == "Pod \"q\" is invalid: [spec.containers[0].resources.limits[memory]: Invalid value: \"1e19\": \(Self.tooLarge), spec.containers[0].resources.requests[memory]: Invalid value: \"1e19\": \(Self.tooLarge)]")
        #expect(await refusal(s, .pods, Self.pod([:], overhead: ["cpu": "-100m"]))
            == "Pod \"q\" is invalid: spec.overhead[cpu]: Invalid value: \"-100m\": must be greater than or equal to 0")
        #expect(await refusal(s, .pods, Self.pod([:], initResources: ["requests": ["memory": "64Mb"]]))
            == "Pod \"q\" is invalid: spec.initContainers[0].resources.requests[memory]: Invalid value: \"64Mb\": \(Self.format)")
        #expect(try await s.client.list(.pods, namespace: "default").items.isEmpty)
        // Good ones pass: the largest memory that fits (8Pi), decimal exponents, fractions.
        #expect(await refusal(s, .pods, Self.pod(["requests": ["cpu": "1.5", "memory": "8Pi"], "limits": ["cpu": "2e0", "memory": "8Pi"]])) == nil)
        #expect(await refusal(s, .pods, Self.pod(["requests": ["cpu": .number("0.25"), "memory": "1.G"]], overhead: ["cpu": "100m"])) == nil)
    }

    @Test func workloadTemplatesShareThePodChecks() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        var d = DeploymentControllerTests.deployment("web", image: "nginx")
        d[path: ["spec", "template", "spec", "containers"]] = [["name": "c", "image": "nginx", "resources": ["requests": ["memory": "1Ei"]]]]
        #expect(await refusal(s, .deployments, d)
            == "Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].resources.requests[memory]: Invalid value: \"1Ei\": \(Self.tooLarge)")
        #expect(try await s.client.list(.deployments, namespace: "default").items.isEmpty)
    }

    static func node(allocatable: JSON, capacity: JSON = ["cpu": "4", "memory": "8Gi", "pods": "110"]) -> JSON {
        ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"], "status": ["capacity": capacity, "allocatable": allocatable]]
    }

    @Test func nodeStatusQuantitiesAreChecked() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        #expect(await refusal(s, .nodes, Self.node(allocatable: ["cpu": "4", "memory": "1Ei"]))
            == "Node \"n1\" is invalid: status.allocatable[memory]: Invalid value: \"1Ei\": \(Self.tooLarge)")
        #expect(await refusal(s, .nodes, Self.node(allocatable: ["cpu": "4"], capacity: ["cpu": "-4", "memory": "+inf"]))
            == "Node \"n1\" is invalid: [status.capacity[cpu]: Invalid value: \"-4\": must be greater than or equal to 0, status.capacity[memory]: Invalid value: \"+inf\": \(Self.format)]")
        #expect(try await s.client.list(.nodes).items.isEmpty)
        // A status update with a bad value is refused and changes nothing.
        let made = try await s.client.create(.nodes, Self.node(allocatable: ["cpu": "4", "memory": "8Gi", "pods": "110"]))
        var bad = made
        bad[path: ["status", "allocatable", "memory"]] = "90Ei"
        do {
            _ = try await s.client.update(.nodes, bad, status: true)
            Issue.record("a node status with allocatable memory 90Ei was accepted")
        } catch {
            #expect(error.code == 422)
            #expect(error.message == "Node \"n1\" is invalid: status.allocatable[memory]: Invalid value: \"90Ei\": \(Self.tooLarge)")
        }
        let stored = try await s.client.get(.nodes, name: "n1")
        #expect(stored["status"]["allocatable"] == ["cpu": "4", "memory": "8Gi", "pods": "110"])
        #expect(stored["metadata"]["resourceVersion"] == made["metadata"]["resourceVersion"])
    }

    /// A pod stored with a quantity these checks refuse (written before them) can still get
    /// its status and metadata updated; a new bad quantity is still refused.
    @Test func objectsStoredBeforeTheChecksCanStillBeUpdated() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        _ = try await s.client.create(.pods, namespace: "default", Self.pod(["requests": ["memory": "1Gi"]]))
        let store = await s.store
        let key = APIService.Target(strategy: try Registry.standard.strategy(for: "pods"), namespace: "default").key("q")
        let done = DispatchSemaphore(value: 0)
        store.submit({ tx throws(Status) -> WriteOutcome in
            var o = try tx.get(key)!.json()
            var containers = o["spec"]["containers"].arrayValue ?? []
            containers[0][path: ["resources", "requests", "memory"]] = "1Ei"
            o[path: ["spec", "containers"]] = .array(containers)
            let w = try tx.put(key, o, previous: try tx.get(key)!)
            return WriteOutcome(bytes: w.bytes, revision: w.modRevision)
        }, done: { _ in done.signal() })
        done.wait()
        var p = try await s.client.get(.pods, namespace: "default", name: "q")
        p[path: ["status", "phase"]] = "Running"
        p = try await s.client.update(.pods, p, status: true)
        #expect(p["status"]["phase"] == "Running")
        p[path: ["metadata", "labels"]] = ["app": "a"]
        p = try await s.client.update(.pods, p)
        #expect(p["metadata"]["labels"] == ["app": "a"])
        var worse = p
        worse[path: ["spec", "overhead"]] = ["cpu": "-1"]
        do {
            _ = try await s.client.update(.pods, worse)
            Issue.record("a new negative overhead was accepted")
        } catch {
            #expect(error.code == 422)
            #expect(error.message.hasPrefix("Pod \"q\" is invalid: [spec.overhead[cpu]: Invalid value: \"-1\": must be greater than or equal to 0, spec: Forbidden: "))
        }
    }
}
