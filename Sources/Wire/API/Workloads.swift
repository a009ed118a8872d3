/// `apps/v1` workload kinds: ReplicaSet, Deployment, DaemonSet, and the pod template they share.
/// Fields are Kubernetes' names; the schema walker derives what the server accepts from them.

/// `spec.template` of every workload: the pods it makes.
public struct PodTemplateSpec: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec?

    public init(metadata: ObjectMeta? = nil, spec: PodSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// A status condition of a workload (Deployment, DaemonSet, ReplicaSet, Job).
public struct WorkloadCondition: Codable, Sendable, Equatable {
    public var type: String
    public var status: String
    public var lastUpdateTime: String?
    public var lastTransitionTime: String?
    public var lastProbeTime: String?
    public var reason: String?
    public var message: String?
}

public struct ReplicaSet: Codable, Sendable, Equatable {
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "ReplicaSet"
    public var metadata: ObjectMeta
    public var spec: ReplicaSetSpec?
    public var status: ReplicaSetStatus?
}

public struct ReplicaSetSpec: Codable, Sendable, Equatable {
    public var replicas: Int32?
    public var minReadySeconds: Int32?
    public var selector: LabelSelectorSpec?
    public var template: PodTemplateSpec?
}

public struct ReplicaSetStatus: Codable, Sendable, Equatable {
    public var replicas: Int32?
    public var fullyLabeledReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var terminatingReplicas: Int32?
    public var observedGeneration: Int64?
    public var conditions: [WorkloadCondition]?
}

public struct Deployment: Codable, Sendable, Equatable {
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "Deployment"
    public var metadata: ObjectMeta
    public var spec: DeploymentSpec?
    public var status: DeploymentStatus?
}

public struct DeploymentSpec: Codable, Sendable, Equatable {
    public var replicas: Int32?
    public var selector: LabelSelectorSpec?
    public var template: PodTemplateSpec?
    public var strategy: DeploymentStrategy?
    public var minReadySeconds: Int32?
    public var revisionHistoryLimit: Int32?
    public var paused: Bool?
    public var progressDeadlineSeconds: Int32?
}

public struct DeploymentStrategy: Codable, Sendable, Equatable {
    public var type: String?
    public var rollingUpdate: RollingUpdateDeployment?
}

public struct RollingUpdateDeployment: Codable, Sendable, Equatable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?
}

public struct DeploymentStatus: Codable, Sendable, Equatable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var updatedReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var unavailableReplicas: Int32?
    public var terminatingReplicas: Int32?
    public var conditions: [WorkloadCondition]?
    public var collisionCount: Int32?
}

public struct DaemonSet: Codable, Sendable, Equatable {
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "DaemonSet"
    public var metadata: ObjectMeta
    public var spec: DaemonSetSpec?
    public var status: DaemonSetStatus?
}

public struct DaemonSetSpec: Codable, Sendable, Equatable {
    public var selector: LabelSelectorSpec?
    public var template: PodTemplateSpec?
    public var updateStrategy: DaemonSetUpdateStrategy?
    public var minReadySeconds: Int32?
    public var revisionHistoryLimit: Int32?
}

public struct DaemonSetUpdateStrategy: Codable, Sendable, Equatable {
    public var type: String?
    public var rollingUpdate: RollingUpdateDaemonSet?
}

public struct RollingUpdateDaemonSet: Codable, Sendable, Equatable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?
}

public struct DaemonSetStatus: Codable, Sendable, Equatable {
    public var currentNumberScheduled: Int32?
    public var numberMisscheduled: Int32?
    public var desiredNumberScheduled: Int32?
    public var numberReady: Int32?
    public var observedGeneration: Int64?
    public var updatedNumberScheduled: Int32?
    public var numberAvailable: Int32?
    public var numberUnavailable: Int32?
    public var collisionCount: Int32?
    public var conditions: [WorkloadCondition]?
}

/// `apps/v1` ControllerRevision: an immutable snapshot of a controller's state (for a
/// DaemonSet, `{"spec":{"template":{..., "$patch":"replace"}}}`, the patch that puts that
/// template back), numbered by `revision`.
public struct ControllerRevision: Codable, Sendable, Equatable {
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "ControllerRevision"
    public var metadata: ObjectMeta
    /// Any JSON (Kubernetes' `runtime.RawExtension`).
    public var data: JSON?
    public var revision: Int64
}
