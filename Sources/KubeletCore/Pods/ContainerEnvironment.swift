import Foundation
import Wire

/// Why a container's config could not be made (Kubernetes' `CreateContainerConfigError`);
/// the message is Kubernetes' text, e.g. `configmap "x" not found`.
public struct ContainerConfigError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// A Warning event the environment asks for (keys envFrom skipped).
public struct EnvironmentWarning: Sendable, Equatable {
    public var reason: String
    public var message: String
}

/// A container's environment as the kubelet makes it (`makeEnvironmentVariables`): envFrom
/// sources first (keys in sorted order), then `env` in order with `$(VAR)` expanded against
/// what came before; a later name replaces an earlier one in place.
public struct ContainerEnvironment: Sendable {
    public var variables: [KubeletCore.EnvVar] = []
    public var warnings: [EnvironmentWarning] = []

    /// `value` of `name`, if set.
    public func value(_ name: String) -> String? { variables.last { $0.name == name }?.value }

    mutating func set(_ name: String, _ value: String) {
        if let i = variables.firstIndex(where: { $0.name == name }) { variables[i].value = value } else {
            variables.append(KubeletCore.EnvVar(name, value))
        }
    }

    /// What the environment may read of the pod and node besides the pod object.
    public struct Context: Sendable {
        public var podIP: String
        public var hostIP: String
        /// Node allocatable, the default of unset limits in `resourceFieldRef`.
        public var allocatable: [String: Quantity]
        public init(podIP: String, hostIP: String, allocatable: [String: Quantity]) {
            self.podIP = podIP
            self.hostIP = hostIP
            self.allocatable = allocatable
        }
    }

    public static func make(pod: Pod, container: Container, context: Context, objects: any PodObjectSource) async throws -> ContainerEnvironment {
        var env = ContainerEnvironment()
        let ns = pod.metadata.namespace ?? "default"
        for source in container.envFrom ?? [] {
            let prefix = source.prefix ?? ""
            var data: [String: String]?
            var kind = ""
            var name = ""
            if let ref = source.configMapRef {
                kind = "configMap"
                name = ref.name ?? ""
                guard let cm = try await objects.configMap(namespace: ns, name: name) else {
                    if ref.optional == true { continue }
                    throw ContainerConfigError("configmap \"\(name)\" not found")
                }
                data = cm.data ?? [:]
            } else if let ref = source.secretRef {
                kind = "secret"
                name = ref.name ?? ""
                guard let secret = try await objects.secret(namespace: ns, name: name) else {
                    if ref.optional == true { continue }
                    throw ContainerConfigError("secret \"\(name)\" not found")
                }
                data = decodeSecret(secret)
            }
            var invalid: [String] = []
            for (k, v) in (data ?? [:]).sorted(by: { $0.key < $1.key }) {
                let key = prefix + k
                guard isEnvVarName(key) else { invalid.append(key); continue }
                env.set(key, v)
            }
            if !invalid.isEmpty {
                env.warnings.append(EnvironmentWarning(
                    reason: "InvalidEnvironmentVariableNames",
                    message: "Keys [\(invalid.sorted().joined(separator: ", "))] from the EnvFrom \(kind) \(ns)/\(name) were skipped since they are considered invalid environment variable names."))
            }
        }
        for v in container.env ?? [] {
            if let from = v.valueFrom {
                guard let value = try await resolve(from, pod: pod, container: container, context: context, objects: objects) else { continue }
                env.set(v.name, value)
            } else {
                let snapshot = env
                env.set(v.name, VarExpansion.expand(v.value ?? "") { snapshot.value($0) })
            }
        }
        return env
    }

    /// nil: an optional reference that is absent (the variable is left out).
    static func resolve(_ from: EnvVarSource, pod: Pod, container: Container, context: Context, objects: any PodObjectSource) async throws -> String? {
        let ns = pod.metadata.namespace ?? "default"
        if let f = from.fieldRef { return try fieldValue(f.fieldPath, pod: pod, context: context) }
        if let r = from.resourceFieldRef { return try resourceValue(r, pod: pod, container: container, allocatable: context.allocatable) }
        if let ref = from.configMapKeyRef {
            let name = ref.name ?? ""
            guard let cm = try await objects.configMap(namespace: ns, name: name) else {
                if ref.optional == true { return nil }
                throw ContainerConfigError("configmap \"\(name)\" not found")
            }
            guard let v = cm.data?[ref.key] else {
                if ref.optional == true { return nil }
                throw ContainerConfigError("couldn't find key \(ref.key) in ConfigMap \(ns)/\(name)")
            }
            return v
        }
        if let ref = from.secretKeyRef {
            let name = ref.name ?? ""
            guard let secret = try await objects.secret(namespace: ns, name: name) else {
                if ref.optional == true { return nil }
                throw ContainerConfigError("secret \"\(name)\" not found")
            }
            guard let v = decodeSecret(secret)[ref.key] else {
                if ref.optional == true { return nil }
                throw ContainerConfigError("couldn't find key \(ref.key) in Secret \(ns)/\(name)")
            }
            return v
        }
        return ""
    }

    static func decodeSecret(_ s: Secret) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in s.data ?? [:] {
            if let d = Data(base64Encoded: v) { out[k] = String(decoding: d, as: UTF8.self) }
        }
        for (k, v) in s.stringData ?? [:] { out[k] = v }
        return out
    }

    /// `[-._a-zA-Z][-._a-zA-Z0-9]*`, as Kubernetes' IsEnvVarName.
    static func isEnvVarName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first else { return false }
        func ok(_ c: Unicode.Scalar, digits: Bool) -> Bool {
            c == "-" || c == "." || c == "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (digits && c >= "0" && c <= "9")
        }
        return ok(first, digits: false) && s.unicodeScalars.dropFirst().allSatisfy { ok($0, digits: true) }
    }

    static func fieldValue(_ path: String, pod: Pod, context: Context) throws -> String {
        let m = pod.metadata
        switch path {
        case "metadata.name": return m.name ?? ""
        case "metadata.namespace": return m.namespace ?? "default"
        case "metadata.uid": return m.uid ?? ""
        case "spec.nodeName": return pod.spec?.nodeName ?? ""
        case "spec.serviceAccountName": return pod.spec?.serviceAccountName ?? pod.spec?.serviceAccount ?? "default"
        case "status.podIP", "status.podIPs": return context.podIP
        case "status.hostIP", "status.hostIPs": return context.hostIP
        // Maps and subscripts as downwardAPI volume files write them (one implementation).
        case "metadata.labels": return DownwardAPIFiles.formatMap(m.labels ?? [:])
        case "metadata.annotations": return DownwardAPIFiles.formatMap(m.annotations ?? [:])
        default:
            for (prefix, map) in [("metadata.labels", m.labels), ("metadata.annotations", m.annotations)] {
                if let key = DownwardAPIFiles.subscriptKey(path, prefix: prefix) { return map?[key] ?? "" }
            }
            throw ContainerConfigError("unsupported fieldPath: \(path)")
        }
    }

    /// A resourceFieldRef's value (`ContainerResourceValue`): of the named container, else this one.
    static func resourceValue(_ ref: ResourceFieldSelector, pod: Pod, container: Container, allocatable: [String: Quantity]) throws -> String {
        let target = ref.containerName.flatMap { n in ((pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])).first { $0.name == n } } ?? container
        return try ContainerResourceValue.of(ref, container: target, allocatable: allocatable).get()
    }
}
