/// The labels the kubelet puts on every container it creates (Kubernetes' own keys), so
/// that anything holding only the runtime (logs, exec, re-adoption after a restart) can find
/// a pod's containers: `listContainers(ContainerFilter(labels: [podUID: uid, containerName: name]))`.
public enum ContainerLabels {
    public static let podName = "io.kubernetes.pod.name"
    public static let podNamespace = "io.kubernetes.pod.namespace"
    public static let podUID = "io.kubernetes.pod.uid"
    public static let containerName = "io.kubernetes.container.name"

    /// `<root dir>/pods/<namespace>_<name>_<uid>`: a pod's log directory; container `c`'s
    /// log for restart `n` is `<that>/c/<n>.log` (rotated files beside it as `n.log.1`...).
    public static func podLogDirectory(rootDir: String, namespace: String, name: String, uid: String) -> String {
        "\(rootDir)/pods/\(namespace)_\(name)_\(uid)"
    }

    /// `c/<n>.log`, relative to the pod's log directory (`ContainerConfig.logPath`).
    public static func containerLogPath(container: String, restartCount: Int) -> String {
        "\(container)/\(restartCount).log"
    }
}
