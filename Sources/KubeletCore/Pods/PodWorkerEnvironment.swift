import ControllerRuntime
import Wire

/// What a pod worker writes back to the API. Implemented over a `Client` by the kubelet
/// (`ClientPodAPI`) and by a recorder in tests.
public protocol PodAPI: Sendable {
    /// Hands over the pod's newest status; the implementation writes it (retrying through
    /// outages, newest wins) without blocking the worker.
    func writeStatus(_ pod: Pod, _ status: PodStatus)
    /// Deletes the pod object for good (uid precondition, grace period 0) once its
    /// containers are gone; true when the object is gone.
    func finalizeDeletion(_ pod: Pod) async -> Bool
    /// Records an event about the pod; `fieldPath` names a container
    /// (`spec.containers{name}`) or is nil for the pod.
    func event(_ pod: Pod, fieldPath: String?, type: String, reason: String, message: String)
}

/// Settings and collaborators every pod worker of a kubelet shares.
public struct PodWorkerEnvironment: Sendable {
    public var runtime: any RuntimeService
    public var objects: any PodObjectSource
    public var api: any PodAPI
    public var clock: any RuntimeClock
    public var nodeName: String
    /// The kubelet's root dir: pod log dirs are `<rootDir>/pods/<ns>_<name>_<uid>`.
    public var rootDir: String
    /// status.hostIP, and podIP until pod networking lands.
    public var hostIP: String
    /// Node allocatable (the default of unset limits in `resourceFieldRef`).
    public var allocatable: [String: Quantity]
    /// The handler for pods that name no RuntimeClass (`--default-runtime-handler`).
    public var defaultRuntimeHandler: String = "host"
    /// Handlers this node runs (a RuntimeClass name is taken as its handler's name).
    public var runtimeHandlers: Set<String> = ["host"]
    /// How often a worker looks at its containers when nothing else wakes it (seconds).
    public var pollInterval: Double = 0.5
    /// Node memory capacity in bytes (oom_score_adj of Burstable containers, `PodCgroupPlan`).
    public var nodeMemoryCapacity: Int64 = 0
    public var backOffInitial: Double = 10
    public var backOffCap: Double = 300

    public init(runtime: any RuntimeService, objects: any PodObjectSource, api: any PodAPI, clock: any RuntimeClock = SystemClock(),
                nodeName: String, rootDir: String, hostIP: String, allocatable: [String: Quantity]) {
        self.runtime = runtime
        self.objects = objects
        self.api = api
        self.clock = clock
        self.nodeName = nodeName
        self.rootDir = rootDir
        self.hostIP = hostIP
        self.allocatable = allocatable
    }

    /// `<rootDir>/pods/<uid>`: the pod's own directory (its volumes), as the kubelet's
    /// `/var/lib/kubelet/pods/<uid>`.
    func podDirectory(_ pod: Pod) -> String { "\(rootDir)/pods/\(pod.metadata.uid ?? "")" }

    func logDirectory(_ pod: Pod) -> String {
        ContainerLabels.podLogDirectory(rootDir: rootDir, namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name ?? "",
                                        uid: pod.metadata.uid ?? "")
    }
}

/// The API's container status types (KubeletCore's own `ContainerStatus` and
/// `ContainerState` are the runtime's).
typealias APIContainerStatus = Wire.ContainerStatus
typealias APIContainerState = Wire.ContainerState
