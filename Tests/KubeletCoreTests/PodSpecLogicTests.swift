import Foundation
import Synchronization
import Testing
import Wire
@testable import KubeletCore

/// ConfigMaps and Secrets from dictionaries (changeable while a worker runs).
final class DictionaryObjects: PodObjectSource {
    let configMaps: Locked<[String: [String: String]]>
    let secrets: Locked<[String: [String: String]]>

    init(configMaps: [String: [String: String]] = [:], secrets: [String: [String: String]] = [:]) {
        self.configMaps = Locked(configMaps)
        self.secrets = Locked(secrets)
    }

    func configMap(namespace: String, name: String) async throws -> ConfigMap? {
        configMaps.withLock { $0[name] }.map { ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace), data: $0) }
    }

    func secret(namespace: String, name: String) async throws -> Secret? {
        guard let data = secrets.withLock({ $0[name] }) else { return nil }
        var s = Secret(metadata: ObjectMeta(name: name, namespace: namespace))
        s.data = data.mapValues { Data($0.utf8).base64EncodedString() }
        return s
    }
}

/// A mutex-guarded value closures and tasks can share.
final class Locked<T: Sendable>: Sendable {
    private let mutex: Mutex<T>
    init(_ value: T) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout T) -> R) -> R { mutex.withLock { body(&$0) } }
}

func decodePod(_ json: String) throws -> Pod { try Client.decode(Pod.self, JSON.parse(json)) }

/// Environment, `$(VAR)` expansion, identity, resources, QoS, admission and back-off: the
/// pod worker's pure parts.
struct PodSpecLogicTests {
    static let context = ContainerEnvironment.Context(podIP: "10.1.2.3", hostIP: "10.1.2.4", allocatable: ["cpu": Quantity("4"), "memory": Quantity("8Gi")])

    @Test func varExpansionFollowsKubernetes() {
        let vars = ["A": "1", "B": "two"]
        let expand = { (s: String) in VarExpansion.expand(s) { vars[$0] } }
        #expect(expand("$(A)-$(B)") == "1-two")
        #expect(expand("$(MISSING) stays") == "$(MISSING) stays")
        #expect(expand("$$(A) escaped") == "$(A) escaped")
        #expect(expand("cost $5 and $") == "cost $5 and $")
        #expect(expand("$(A") == "$(A")
        #expect(expand("$$$$") == "$$")
    }

    @Test func environmentFromFieldsResourcesAndReferences() async throws {
        let pod = try decodePod("""
        {"metadata":{"name":"dapi","namespace":"ns1","uid":"u-1","labels":{"app":"web"},"annotations":{"team":"a"}},
         "spec":{"nodeName":"n1","containers":[{"name":"c","command":["echo","$(GREETING) $(NAME)","$$(NAME)"],
           "resources":{"requests":{"cpu":"250m","memory":"32Mi"},"limits":{"memory":"64Mi"}},
           "envFrom":[{"prefix":"CM_","configMapRef":{"name":"cm"}},{"secretRef":{"name":"missing","optional":true}}],
           "env":[{"name":"GREETING","value":"hello"},
                  {"name":"NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},
                  {"name":"NS","valueFrom":{"fieldRef":{"fieldPath":"metadata.namespace"}}},
                  {"name":"UID","valueFrom":{"fieldRef":{"fieldPath":"metadata.uid"}}},
                  {"name":"APP","valueFrom":{"fieldRef":{"fieldPath":"metadata.labels['app']"}}},
                  {"name":"TEAM","valueFrom":{"fieldRef":{"fieldPath":"metadata.annotations['team']"}}},
                  {"name":"NODE","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}},
                  {"name":"SA","valueFrom":{"fieldRef":{"fieldPath":"spec.serviceAccountName"}}},
                  {"name":"POD_IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}},
                  {"name":"HOST_IP","valueFrom":{"fieldRef":{"fieldPath":"status.hostIP"}}},
                  {"name":"CPU_REQ","valueFrom":{"resourceFieldRef":{"resource":"requests.cpu","divisor":"1m"}}},
                  {"name":"CPU_LIM","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu"}}},
                  {"name":"MEM_LIM","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":"1Mi"}}},
                  {"name":"MEM_REQ","valueFrom":{"resourceFieldRef":{"resource":"requests.memory"}}},
                  {"name":"KEY","valueFrom":{"configMapKeyRef":{"name":"cm","key":"k1"}}},
                  {"name":"PASS","valueFrom":{"secretKeyRef":{"name":"sec","key":"password"}}},
                  {"name":"OPT","valueFrom":{"configMapKeyRef":{"name":"nope","key":"k","optional":true}}},
                  {"name":"DERIVED","value":"$(GREETING)-$(UNSET)"}]}]}}
        """)
        let objects = DictionaryObjects(configMaps: ["cm": ["k1": "v1", "a b": "x", "ok_key": "y"]], secrets: ["sec": ["password": "s3cret"]])
        let env = try await ContainerEnvironment.make(pod: pod, container: pod.spec!.containers![0], context: Self.context, objects: objects)
        #expect(env.variables.map { "\($0.name)=\($0.value)" } == [
            "CM_k1=v1", "CM_ok_key=y", "GREETING=hello", "NAME=dapi", "NS=ns1", "UID=u-1", "APP=web", "TEAM=a", "NODE=n1", "SA=default",
            "POD_IP=10.1.2.3", "HOST_IP=10.1.2.4", "CPU_REQ=250", "CPU_LIM=4", "MEM_LIM=64", "MEM_REQ=33554432", "KEY=v1", "PASS=s3cret",
            "DERIVED=hello-$(UNSET)",
        ])
        #expect(env.warnings == [EnvironmentWarning(reason: "InvalidEnvironmentVariableNames",
            message: "Keys [CM_a b] from the EnvFrom configMap ns1/cm were skipped since they are considered invalid environment variable names.")])
        let config = try ContainerConfigBuilder.build(pod: pod, container: pod.spec!.containers![0], restartCount: 2, environment: env)
        #expect(config.command == ["echo", "hello dapi", "$(NAME)"])
        #expect(config.logPath == "c/2.log" && config.attempt == 2)
        #expect(config.labels == ["io.kubernetes.pod.name": "dapi", "io.kubernetes.pod.namespace": "ns1", "io.kubernetes.pod.uid": "u-1",
                                  "io.kubernetes.container.name": "c"])
    }

    @Test func missingReferencesGiveKubernetesMessages() async throws {
        func message(_ env: String) async throws -> String? {
            let pod = try decodePod(#"{"metadata":{"name":"p","namespace":"ns1","uid":"u"},"spec":{"containers":[{"name":"c","command":["x"],"# + env + "}]}}")
            do {
                _ = try await ContainerEnvironment.make(pod: pod, container: pod.spec!.containers![0], context: Self.context,
                                                        objects: DictionaryObjects(configMaps: ["cm": [:]], secrets: ["sec": [:]]))
                return nil
            } catch let e as ContainerConfigError { return e.message }
        }
        #expect(try await message(#""env":[{"name":"A","valueFrom":{"configMapKeyRef":{"name":"x","key":"k"}}}]"#) == #"configmap "x" not found"#)
        #expect(try await message(#""env":[{"name":"A","valueFrom":{"configMapKeyRef":{"name":"cm","key":"k"}}}]"#) == "couldn't find key k in ConfigMap ns1/cm")
        #expect(try await message(#""env":[{"name":"A","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]"#) == #"secret "s" not found"#)
        #expect(try await message(#""env":[{"name":"A","valueFrom":{"secretKeyRef":{"name":"sec","key":"k"}}}]"#) == "couldn't find key k in Secret ns1/sec")
        #expect(try await message(#""envFrom":[{"configMapRef":{"name":"gone"}}]"#) == #"configmap "gone" not found"#)
        #expect(try await message(#""envFrom":[{"configMapRef":{"name":"gone","optional":true}}]"#) == nil)
    }

    @Test func identityAndRunAsNonRoot() throws {
        let pod = try decodePod("""
        {"metadata":{"name":"p","namespace":"ns1","uid":"u"},"spec":{"securityContext":{"runAsUser":1000,"runAsGroup":3000,"supplementalGroups":[4000]},
         "containers":[{"name":"a","command":["x"],"securityContext":{"runAsUser":2000}},{"name":"b","command":["x"]},
                       {"name":"root","command":["x"],"securityContext":{"runAsUser":0,"runAsNonRoot":true}},
                       {"name":"implicit","command":["x"]},{"name":"img","image":"nginx"}]}}
        """)
        let cs = pod.spec!.containers!
        let env = ContainerEnvironment()
        #expect(try ContainerConfigBuilder.build(pod: pod, container: cs[0], restartCount: 0, environment: env).user == ContainerUser(uid: 2000, gid: 3000, supplementalGroups: [4000]))
        #expect(try ContainerConfigBuilder.build(pod: pod, container: cs[1], restartCount: 0, environment: env).user == ContainerUser(uid: 1000, gid: 3000, supplementalGroups: [4000]))
        #expect(throws: ContainerConfigError(#"container's runAsUser breaks non-root policy (pod: "p_ns1(u)", container: root)"#)) {
            try ContainerConfigBuilder.build(pod: pod, container: cs[2], restartCount: 0, environment: env)
        }
        let noUser = try decodePod(#"{"metadata":{"name":"p","namespace":"ns1","uid":"u"},"spec":{"securityContext":{"runAsNonRoot":true},"containers":[]}}"#)
        #expect(throws: ContainerConfigError(#"container has runAsNonRoot and image will run as root (pod: "p_ns1(u)", container: implicit)"#)) {
            try ContainerConfigBuilder.build(pod: noUser, container: cs[3], restartCount: 0, environment: env, runningAsUID: 0)
        }
        #expect(throws: ContainerConfigError(#"container img has no command: the host runtime runs no image entrypoint (image "nginx" is not pulled until images land); set command"#)) {
            try ContainerConfigBuilder.build(pod: pod, container: cs[4], restartCount: 0, environment: env)
        }
    }

    @Test func requestsAndAdmission() throws {
        let burstable = try decodePod("""
        {"metadata":{"name":"b"},"spec":{"overhead":{"cpu":"100m"},"containers":[{"name":"a","resources":{"requests":{"cpu":"500m","memory":"100Mi"}}},
         {"name":"b","resources":{"requests":{"cpu":"250m"}}}],"initContainers":[{"name":"i","resources":{"requests":{"cpu":"2","memory":"10Mi"}}}]}}
        """).spec!
        let bestEffort = try decodePod(#"{"metadata":{"name":"e"},"spec":{"containers":[{"name":"a"}]}}"#).spec!
        #expect(PodResources.requests(burstable) == (2100, 104857600))
        let node = NodeAllocatable(milliCPU: 2000, memory: 1 << 30, pods: 2)
        #expect(node.admit(burstable, besides: []) == AdmissionRejection(reason: "OutOfcpu",
            message: "Node didn't have enough resource: cpu, requested: 2100, used: 0, capacity: 2000"))
        #expect(node.admit(burstable, besides: []).map(\.statusMessage) == "Pod was rejected: Node didn't have enough resource: cpu, requested: 2100, used: 0, capacity: 2000")
        let big = try decodePod(#"{"metadata":{"name":"m"},"spec":{"containers":[{"name":"a","resources":{"requests":{"memory":"600Mi"}}}]}}"#).spec!
        #expect(node.admit(big, besides: [big]) == AdmissionRejection(reason: "OutOfmemory",
            message: "Node didn't have enough resource: memory, requested: 629145600, used: 629145600, capacity: 1073741824"))
        #expect(node.admit(bestEffort, besides: [bestEffort, bestEffort]) == AdmissionRejection(reason: "OutOfpods",
            message: "Node didn't have enough resource: pods, requested: 1, used: 2, capacity: 2"))
        #expect(node.admit(bestEffort, besides: [bestEffort]) == nil)
    }

    @Test func crashLoopBackOffDoublesToFiveMinutesAndResetsAfterTenMinutesOfRunning() {
        var b = CrashLoopBackOff()
        #expect(!b.isInBackOff("c", since: 0, now: 0))
        b.next("c", now: 0)
        #expect(b.delay("c") == 10)
        #expect(b.isInBackOff("c", since: 1, now: 10.9))
        #expect(!b.isInBackOff("c", since: 1, now: 11))
        var t = 11.0
        for expected in [20.0, 40, 80, 160, 300, 300] {
            b.next("c", now: t)
            #expect(b.delay("c") == expected)
            t += expected + 1
        }
        // Ran 10 min and more since the last restart: no back-off, and the next starts at 10 s.
        #expect(!b.isInBackOff("c", since: t + 601, now: t + 602))
        b.next("c", now: t + 602)
        #expect(b.delay("c") == 10)
        #expect(["10s", "1m20s", "5m0s"] == [10.0, 80, 300].map(CrashLoopBackOff.goDuration))
    }
}
