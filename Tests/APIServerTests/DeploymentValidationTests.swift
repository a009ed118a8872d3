import Testing
@testable import apiserver

/// A Deployment's strategy and deadlines are checked as Kubernetes checks them (after
/// defaulting); a refused one is not stored.
@Suite(.serialized) struct DeploymentValidationTests {
    func refusal(_ s: InProcessServer, _ spec: JSON) async -> String? {
        var d = DeploymentControllerTests.deployment("web", image: "nginx")
        for (k, v) in spec.objectValue ?? JSONObject() { d[path: ["spec", k]] = v }
        do {
            _ = try await s.client.create(.deployments, namespace: "default", d)
            _ = try? await s.client.delete(.deployments, namespace: "default", name: "web")
            return nil
        } catch {
            #expect(error.code == 422)
            return error.message
        }
    }

    @Test func badStrategiesAreRefused() async throws {
        let s = try await InProcessServer.start()
        #expect(await refusal(s, ["strategy": ["rollingUpdate": ["maxSurge": 0, "maxUnavailable": "0%"]]])
            == "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0%\": may not be 0 when `maxSurge` is 0")
        #expect(await refusal(s, ["strategy": ["type": "BlueGreen"]])
            == "Deployment.apps \"web\" is invalid: spec.strategy.type: Unsupported value: \"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\"")
        #expect(await refusal(s, ["strategy": ["type": "Recreate", "rollingUpdate": ["maxSurge": 1]]])
            == "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'")
        #expect(await refusal(s, ["strategy": ["rollingUpdate": ["maxSurge": "lots", "maxUnavailable": "150%"]]])
            == "Deployment.apps \"web\" is invalid: [spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%'), spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%]")
        #expect(await refusal(s, ["minReadySeconds": 700])
            == "Deployment.apps \"web\" is invalid: spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds")
        #expect(try await s.client.list(.deployments, namespace: "default").items.isEmpty)
        // Good ones pass: 0 surge with some unavailability, Recreate alone.
        #expect(await refusal(s, ["strategy": ["rollingUpdate": ["maxSurge": 0, "maxUnavailable": 1]]]) == nil)
        #expect(await refusal(s, ["strategy": ["type": "Recreate"]]) == nil)
        await s.stop()
    }

    /// The template's labels and annotations are checked as an object's own are
    /// (Kubernetes' ValidatePodTemplateSpec), so no pod made from it is refused for them.
    @Test func templateMetadataIsValidated() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        var d = DeploymentControllerTests.deployment("web", image: "nginx")
        d[path: ["spec", "template", "metadata", "annotations"]] = ["bad key": "x"]
        do {
            _ = try await s.client.create(.deployments, namespace: "default", d)
            Issue.record("a template with a bad annotation key was accepted")
        } catch {
            #expect(error.code == 422)
            #expect(error.message == "Deployment.apps \"web\" is invalid: spec.template.annotations: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
        #expect(try await s.client.list(.deployments, namespace: "default").items.isEmpty)
        // A pod deletion cost that is not a 32-bit integer is refused on templates and pods.
        d[path: ["spec", "template", "metadata", "annotations"]] = ["controller.kubernetes.io/pod-deletion-cost": "+1"]
        do {
            _ = try await s.client.create(.deployments, namespace: "default", d)
            Issue.record("a template with a bad deletion cost was accepted")
        } catch {
            #expect(error.message == "Deployment.apps \"web\" is invalid: spec.template.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: \"+1\": must be a 32bit integer")
        }
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod",
                         "metadata": ["name": "p", "annotations": ["controller.kubernetes.io/pod-deletion-cost": "1e3"]],
                         "spec": ["containers": [["name": "c", "image": "busybox"]]]]
        do {
            _ = try await s.client.create(.pods, namespace: "default", pod)
            Issue.record("a pod with a bad deletion cost was accepted")
        } catch {
            #expect(error.message == "Pod \"p\" is invalid: metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: \"1e3\": must be a 32bit integer")
        }
        var good = pod
        good[path: ["metadata", "annotations"]] = ["controller.kubernetes.io/pod-deletion-cost": "-20"]
        _ = try await s.client.create(.pods, namespace: "default", good)
    }

    /// An update is judged after defaults too: a PUT that drops the strategy's type and
    /// maxUnavailable is read as RollingUpdate with maxUnavailable 25 %, and one that makes
    /// both 0 is refused and changes nothing.
    /// Integer values print bare in causes (Kubernetes' field errors use %v for them).
    @Test func integerValuesArePrintedBare() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                         "spec": ["terminationGracePeriodSeconds": -5,
                                  "containers": [["name": "c", "image": "busybox", "ports": [["containerPort": 70000]]]]]]
        do {
            _ = try await s.client.create(.pods, namespace: "default", pod)
            Issue.record("a bad pod was accepted")
        } catch {
            #expect(error.message == "Pod \"p\" is invalid: [spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.terminationGracePeriodSeconds: Invalid value: -5: must be greater than or equal to 0]")
        }
        let lease: JSON = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "l"],
                           "spec": ["leaseDurationSeconds": 0]]
        await #expect { _ = try await s.client.create(.leases, namespace: "default", lease) } throws: {
            ($0 as? Status)?.message == "Lease.coordination.k8s.io \"l\" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"
        }
        #expect(await refusal(s, ["minReadySeconds": -1]) == "Deployment.apps \"web\" is invalid: spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0")
    }

    @Test func updatesAreValidatedAfterDefaults() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        _ = try await s.client.create(.deployments, namespace: "default", DeploymentControllerTests.deployment("web", image: "nginx"))
        var d = try await s.client.get(.deployments, namespace: "default", name: "web")
        d[path: ["spec", "strategy"]] = ["rollingUpdate": ["maxSurge": 0]]
        d = try await s.client.update(.deployments, d)
        #expect(d["spec"]["strategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 0, "maxUnavailable": "25%"]])
        d[path: ["spec", "strategy"]] = ["rollingUpdate": ["maxSurge": "0%", "maxUnavailable": 0]]
        do {
            _ = try await s.client.update(.deployments, d)
            Issue.record("a strategy with maxSurge and maxUnavailable both 0 was accepted")
        } catch {
            #expect(error.code == 422)
            #expect(error.message == "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0\": may not be 0 when `maxSurge` is 0")
        }
        let stored = try await s.client.get(.deployments, namespace: "default", name: "web")
        #expect(stored["spec"]["strategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 0, "maxUnavailable": "25%"]])
    }
}
