import Dispatch
import Testing
import Wire
@testable import apiserver

/// Probes and lifecycle hooks are validated as Kubernetes validates them (after defaults),
/// in pods and in workload templates; a refused object is not stored.
@Suite(.serialized) struct ProbeValidationTests {
    static func pod(_ container: JSON, initContainer: JSON = .null) -> JSON {
        var c = container
        c["name"] = "c"
        c["image"] = "busybox:1.36"
        var spec: JSON = ["containers": [c]]
        if !initContainer.isNull { spec["initContainers"] = [initContainer] }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": spec]
    }

    /// The 422 message of creating `object`, nil if it was created (and then deleted).
    func refusal(_ s: InProcessServer, _ type: ResourceType, _ object: JSON) async -> String? {
        do {
            let made = try await s.client.create(type, namespace: "default", object)
            _ = try? await s.client.delete(type, namespace: "default", name: made["metadata"]["name"].stringValue ?? "", gracePeriodSeconds: 0)
            return nil
        } catch {
            #expect(error.code == 422)
            return error.message
        }
    }

    static let header = "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"

    @Test func badProbesAreRefused() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        #expect(await refusal(s, .pods, Self.pod(["livenessProbe": ["periodSeconds": 5]]))
            == "Pod \"p\" is invalid: spec.containers[0].livenessProbe: Required value: must specify a handler type")
        #expect(await refusal(s, .pods, Self.pod(["readinessProbe": ["exec": ["command": ["true"]], "tcpSocket": ["port": 80]]]))
            == "Pod \"p\" is invalid: spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type")
        #expect(await refusal(s, .pods, Self.pod(["livenessProbe": ["exec": ["command": ["true"]], "periodSeconds": -1]]))
            == "Pod \"p\" is invalid: spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0")
        #expect(await refusal(s, .pods, Self.pod(["readinessProbe": ["exec": ["command": ["true"]], "initialDelaySeconds": -3]]))
            == "Pod \"p\" is invalid: spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -3: must be greater than or equal to 0")
        #expect(await refusal(s, .pods, Self.pod(["livenessProbe": ["exec": ["command": ["true"]], "successThreshold": 2]]))
            == "Pod \"p\" is invalid: spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1")
        #expect(await refusal(s, .pods, Self.pod(["startupProbe": ["exec": ["command": ["true"]], "successThreshold": 3]]))
            == "Pod \"p\" is invalid: spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1")
        #expect(await refusal(s, .pods, Self.pod(["livenessProbe": ["exec": ["command": ["true"]], "terminationGracePeriodSeconds": 0]]))
            == "Pod \"p\" is invalid: spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0")
        #expect(await refusal(s, .pods, Self.pod(["readinessProbe": ["exec": ["command": ["true"]], "terminationGracePeriodSeconds": 5]]))
            == "Pod \"p\" is invalid: spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes")
        #expect(await refusal(s, .pods, Self.pod(["livenessProbe": ["exec": [:] as JSON]]))
            == "Pod \"p\" is invalid: spec.containers[0].livenessProbe.exec.command: Required value")
        #expect(await refusal(s, .pods, Self.pod(["readinessProbe": ["httpGet": ["port": 80, "httpHeaders": [["name": "ß", "value": "x"]]]]]))
            == "Pod \"p\" is invalid: spec.containers[0].readinessProbe.httpGet.httpHeaders: Invalid value: \"ß\": \(Self.header)")
        #expect(await refusal(s, .pods, Self.pod(["readinessProbe": ["httpGet": ["port": 70000]]]))
            == "Pod \"p\" is invalid: spec.containers[0].readinessProbe.httpGet.port: Invalid value: 70000: must be between 1 and 65535, inclusive")
        #expect(await refusal(s, .pods, Self.pod(["readinessProbe": ["httpGet": ["port": 80, "scheme": "FTP"]]]))
            == "Pod \"p\" is invalid: spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: \"FTP\": supported values: \"HTTP\", \"HTTPS\"")
        #expect(await refusal(s, .pods, Self.pod(["livenessProbe": ["tcpSocket": ["port": "Web--"]]]))
            == "Pod \"p\" is invalid: [spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: \"Web--\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: \"Web--\": must not contain consecutive hyphens, spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: \"Web--\": must not begin or end with a hyphen]")
        #expect(await refusal(s, .pods, Self.pod(["startupProbe": ["grpc": ["port": 0]]]))
            == "Pod \"p\" is invalid: spec.containers[0].startupProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive")
        // Nothing refused was stored.
        #expect(try await s.client.list(.pods, namespace: "default").items.isEmpty)
    }

    @Test func badHooksAndInitContainerProbesAreRefused() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        #expect(await refusal(s, .pods, Self.pod(["lifecycle": ["postStart": [:] as JSON]]))
            == "Pod \"p\" is invalid: spec.containers[0].lifecycle.postStart: Required value: must specify a handler type")
        #expect(await refusal(s, .pods, Self.pod(["lifecycle": ["preStop": ["sleep": ["seconds": 40]]]]))
            == "Pod \"p\" is invalid: spec.containers[0].lifecycle.preStop.sleep: Invalid value: 40: must be greater than 0 and less than terminationGracePeriodSeconds (30). Please enable PodLifecycleSleepActionAllowZero feature gate if you need a sleep of zero duration.")
        #expect(await refusal(s, .pods, Self.pod(["lifecycle": ["preStop": ["exec": ["command": ["true"]], "sleep": ["seconds": 1]]]]))
            == "Pod \"p\" is invalid: spec.containers[0].lifecycle.preStop.sleep: Forbidden: may not specify more than 1 handler type")
        let initWithProbe: JSON = ["name": "i", "image": "busybox:1.36", "readinessProbe": ["exec": ["command": ["true"]]]]
        #expect(await refusal(s, .pods, Self.pod([:], initContainer: initWithProbe))
            == "Pod \"p\" is invalid: spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always")
        // A sidecar (restartPolicy Always) may have probes.
        var sidecar = initWithProbe
        sidecar["restartPolicy"] = "Always"
        #expect(await refusal(s, .pods, Self.pod([:], initContainer: sidecar)) == nil)
    }

    @Test func everyValidProbeKindIsAcceptedAndDefaulted() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let container: JSON = [
            "livenessProbe": ["httpGet": ["port": "http", "httpHeaders": [["name": "X-Check", "value": "1"]]], "periodSeconds": 0,
                              "terminationGracePeriodSeconds": 5],
            "readinessProbe": ["tcpSocket": ["port": 8080], "successThreshold": 2],
            "startupProbe": ["grpc": ["port": 9000], "failureThreshold": 30],
            "lifecycle": ["postStart": ["httpGet": ["path": "/up", "port": 80, "scheme": "HTTPS"]], "preStop": ["sleep": ["seconds": 5]]],
        ]
        let made = try await s.client.create(.pods, namespace: "default", Self.pod(container))
        let c = made["spec"]["containers"].arrayValue?.first ?? .null
        // Kubernetes' defaults: a 0 counter is unset (period 10 s); an httpGet's path / and scheme HTTP.
        #expect(c["livenessProbe"] == ["httpGet": ["port": "http", "httpHeaders": [["name": "X-Check", "value": "1"]], "path": "/", "scheme": "HTTP"],
                                       "periodSeconds": 10, "terminationGracePeriodSeconds": 5, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3])
        #expect(c["readinessProbe"]["successThreshold"] == JSON.int(2))
        #expect(c["lifecycle"]["postStart"]["httpGet"] == ["path": "/up", "port": 80, "scheme": "HTTPS"])
        let exec: JSON = ["exec": ["command": ["true"]]]
        #expect(await refusal(s, .pods, ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "q"],
                                         "spec": ["containers": [["name": "c", "image": "busybox:1.36", "livenessProbe": exec,
                                                                  "lifecycle": ["preStop": exec]]]]]) == nil)
    }

    @Test func aDeploymentTemplateWithABadProbeIsRefused() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let d: JSON = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d"],
                       "spec": ["selector": ["matchLabels": ["app": "d"]],
                                "template": ["metadata": ["labels": ["app": "d"]],
                                             "spec": ["containers": [["name": "c", "image": "nginx", "livenessProbe": ["successThreshold": 2]]]]]]]
        #expect(await refusal(s, .deployments, d)
            == "Deployment.apps \"d\" is invalid: [spec.template.spec.containers[0].livenessProbe: Required value: must specify a handler type, spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1]")
    }

    @Test func podsStoredBeforeTheChecksCanStillBeUpdated() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        _ = try await s.client.create(.pods, namespace: "default", Self.pod(["livenessProbe": ["exec": ["command": ["true"]]]]))
        let store = await s.store
        let key = APIService.Target(strategy: try Registry.standard.strategy(for: "pods"), namespace: "default").key("p")
        let done = DispatchSemaphore(value: 0)
        store.submit({ tx throws(Status) -> WriteOutcome in
            var o = try tx.get(key)!.json()
            var containers = o["spec"]["containers"].arrayValue ?? []
            // Refused today (successThreshold 2), and a 0 period Kubernetes defaults to 10.
            containers[0]["livenessProbe"] = ["exec": ["command": ["true"]], "successThreshold": 2, "periodSeconds": 0, "timeoutSeconds": 1, "failureThreshold": 3]
            o[path: ["spec", "containers"]] = .array(containers)
            let w = try tx.put(key, o, previous: try tx.get(key)!)
            return WriteOutcome(bytes: w.bytes, revision: w.modRevision)
        }, done: { _ in done.signal() })
        done.wait()
        var p = try await s.client.get(.pods, namespace: "default", name: "p")
        p[path: ["status", "phase"]] = "Running"
        p = try await s.client.update(.pods, p, status: true)
        #expect(p["status"]["phase"] == "Running")
        p[path: ["metadata", "labels"]] = ["app": "a"]
        p = try await s.client.update(.pods, p)
        #expect(p["metadata"]["labels"] == ["app": "a"])
        #expect(p["spec"]["containers"].arrayValue?.first?["livenessProbe"]
            == ["exec": ["command": ["true"]], "successThreshold": 2, "periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3])
    }
}
