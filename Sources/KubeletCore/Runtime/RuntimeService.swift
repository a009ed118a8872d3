import Wire
/// The kubelet's view of a container runtime, shaped after CRI's `RuntimeService`, so that a
/// second handler (runc, images) can be added without touching pod workers.
///
/// Isolation: implementations are `Sendable` and may be called from any task concurrently.
/// Calls that wait (stopping, exec) suspend the caller, never a cooperative thread.
/// Identifiers are opaque strings the runtime picks. Errors are `RuntimeError`.
public protocol RuntimeService: Sendable {
    /// The runtime's name and version, and the CRI API version it will speak with this
    /// kubelet: the highest of `kubeletAPIVersions` it also speaks, else an error naming both
    /// lists (see `CRIVersion.negotiate`).
    func version(kubeletAPIVersions: [String]) async throws -> RuntimeVersion

    /// Creates and starts the pod's sandbox (namespaces held for the pod's life); returns its id.
    func runPodSandbox(_ config: PodSandboxConfig) async throws -> String
    /// Kills every container of the sandbox and releases its namespaces. Idempotent.
    func stopPodSandbox(_ podSandboxID: String) async throws
    /// Stops the sandbox if needed and forgets it and its containers. Idempotent.
    func removePodSandbox(_ podSandboxID: String) async throws
    func podSandboxStatus(_ podSandboxID: String) async throws -> PodSandboxStatus
    func listPodSandboxes() async throws -> [PodSandboxStatus]

    /// Records a container in the sandbox (state `created`); returns its id.
    func createContainer(podSandboxID: String, config: ContainerConfig, sandboxConfig: PodSandboxConfig) async throws -> String
    /// Starts a created container. A start that fails (executable missing, bad user or
    /// working directory) throws, and leaves the container `exited` with reason `StartError`
    /// and exit code 128, as containerd does.
    func startContainer(_ containerID: String) async throws
    /// SIGTERM, then SIGKILL once `timeout` seconds passed (at once when 0); returns when the
    /// container has exited. A container that is not running is left as it is.
    func stopContainer(_ containerID: String, timeout: Double) async throws
    /// Forgets a container, killing it first if it still runs. Its log files stay (the
    /// kubelet removes logs with the pod). Idempotent.
    func removeContainer(_ containerID: String) async throws
    func containerStatus(_ containerID: String) async throws -> ContainerStatus
    func listContainers(_ filter: ContainerFilter) async throws -> [ContainerStatus]
    /// Runs `command` in the container's context (environment, working dir, user, pod
    /// namespaces) and returns its exit code and output. `timeout` in seconds, 0 for none;
    /// when it passes, the command is killed and `RuntimeError.Code.deadlineExceeded` thrown.
    func execSync(_ containerID: String, command: [String], timeout: Double) async throws -> ExecSyncResult
    /// Starts `command` in the container's context as `execSync` does, with its streams
    /// open (`ctl exec`): stdin from the caller when `stdin` (else empty), stdout and stderr
    /// as they come, and the exit code at the end. `tty` asks for a terminal (of
    /// `terminalSize` when given): its output, stdout and stderr merged, comes as `stdout`.
    func exec(containerID: String, command: [String], tty: Bool, terminalSize: TerminalSize?, stdin: Bool) async throws -> any ExecSession
}

/// The image half of CRI (`ImageService`).
public protocol ImageService: Sendable {
    /// Makes the image present; returns its reference.
    func pullImage(_ image: String) async throws -> String
    /// The image when present, nil otherwise.
    func imageStatus(_ image: String) async throws -> ImageRecord?
    func listImages() async throws -> [ImageRecord]
    /// Idempotent.
    func removeImage(_ image: String) async throws
}
