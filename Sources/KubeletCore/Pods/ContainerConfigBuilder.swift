#if canImport(Glibc)
import Glibc
#endif
import Wire

/// Turns a pod's container into the runtime's `ContainerConfig`: environment, `$(VAR)`
/// expansion of command and args, identity, labels and log path.
public enum ContainerConfigBuilder {
    /// Kubernetes' `format.Pod`: `name_namespace(uid)`, as messages name pods.
    public static func podDescription(_ pod: Pod) -> String {
        "\(pod.metadata.name ?? "")_\(pod.metadata.namespace ?? "default")(\(pod.metadata.uid ?? ""))"
    }

    /// The labels on a pod's sandbox and each of its containers (`ContainerLabels`).
    public static func labels(_ pod: Pod, container: String? = nil) -> [String: String] {
        var l = [ContainerLabels.podName: pod.metadata.name ?? "", ContainerLabels.podNamespace: pod.metadata.namespace ?? "default",
                 ContainerLabels.podUID: pod.metadata.uid ?? ""]
        if let container { l[ContainerLabels.containerName] = container }
        return l
    }

    /// Thrown (as `ContainerConfigError`) when the container cannot run on the `host`
    /// handler or its references are missing; the message goes into the waiting state.
    public static func build(pod: Pod, container: Container, restartCount: Int, environment: ContainerEnvironment,
                             runningAsUID: UInt32 = geteuid()) throws -> ContainerConfig {
        let command = container.command ?? []
        if command.isEmpty {
            throw ContainerConfigError(noCommandMessage(container))
        }
        let user = try identity(pod: pod, container: container, runningAsUID: runningAsUID)
        let lookup = { (name: String) in environment.value(name) }
        return ContainerConfig(
            name: container.name, attempt: restartCount, image: container.image ?? "",
            command: command.map { VarExpansion.expand($0, lookup) },
            args: (container.args ?? []).map { VarExpansion.expand($0, lookup) },
            workingDir: container.workingDir ?? "", env: environment.variables, user: user,
            logPath: ContainerLabels.containerLogPath(container: container.name, restartCount: restartCount),
            labels: labels(pod, container: container.name))
    }

    /// The waiting message of a container that names an image but no command (see
    /// docs/RUNTIME.md, "Pods on the kubelet").
    public static func noCommandMessage(_ container: Container) -> String {
        "container \(container.name) has no command: the host runtime runs no image entrypoint (image \"\(container.image ?? "")\" is not pulled until images land); set command"
    }

    /// runAsUser/runAsGroup (the container's over the pod's), supplemental groups, and the
    /// runAsNonRoot check with Kubernetes' messages.
    static func identity(pod: Pod, container: Container, runningAsUID: UInt32) throws -> ContainerUser {
        let podSC = pod.spec?.securityContext
        let sc = container.securityContext
        let uid = sc?.runAsUser ?? podSC?.runAsUser
        let gid = sc?.runAsGroup ?? podSC?.runAsGroup
        if sc?.runAsNonRoot ?? podSC?.runAsNonRoot ?? false {
            let who = "(pod: \"\(podDescription(pod))\", container: \(container.name))"
            if let uid, uid == 0 { throw ContainerConfigError("container's runAsUser breaks non-root policy \(who)") }
            if uid == nil, runningAsUID == 0 { throw ContainerConfigError("container has runAsNonRoot and image will run as root \(who)") }
        }
        func id(_ v: Int64?) throws -> UInt32? {
            guard let v else { return nil }
            guard v >= 0, v <= Int64(UInt32.max) else { throw ContainerConfigError("invalid user or group id \(v)") }
            return UInt32(v)
        }
        return ContainerUser(uid: try id(uid), gid: try id(gid), supplementalGroups: try (podSC?.supplementalGroups ?? []).compactMap { try id($0) })
    }
}
