/// `batch/v1` Job.
public struct Job: Codable, Sendable, Equatable {
    public var apiVersion: String? = "batch/v1"
    public var kind: String? = "Job"
    public var metadata: ObjectMeta
    public var spec: JobSpec?
    public var status: JobStatus?
}

public struct JobSpec: Codable, Sendable, Equatable {
    public var parallelism: Int32?
    public var completions: Int32?
    public var activeDeadlineSeconds: Int64?
    public var backoffLimit: Int32?
    public var selector: LabelSelectorSpec?
    public var manualSelector: Bool?
    public var template: PodTemplateSpec?
    public var ttlSecondsAfterFinished: Int32?
    public var completionMode: String?
    public var suspend: Bool?
    public var podReplacementPolicy: String?
    public var podFailurePolicy: PodFailurePolicy?
    public var backoffLimitPerIndex: Int32?
    public var maxFailedIndexes: Int32?
    public var successPolicy: SuccessPolicy?
}

/// When an Indexed Job counts as succeeded before every index has (Kubernetes'
/// `spec.successPolicy`): the first of `rules` whose indexes succeeded decides.
public struct SuccessPolicy: Codable, Sendable, Equatable {
    public var rules: [SuccessPolicyRule]?
}

/// One rule: `succeededIndexes` (intervals like "0-2,5") all succeeded, or at least
/// `succeededCount` indexes (of `succeededIndexes` if both are set) succeeded.
public struct SuccessPolicyRule: Codable, Sendable, Equatable {
    public var succeededIndexes: String?
    public var succeededCount: Int32?
}

/// How a failed pod counts (Kubernetes' `spec.podFailurePolicy`): the first rule matching
/// the pod decides (`FailJob`, `FailIndex`, `Ignore`, `Count`); no match counts as usual.
public struct PodFailurePolicy: Codable, Sendable, Equatable {
    public var rules: [PodFailurePolicyRule]?
}

/// One rule: exactly one of `onExitCodes` / `onPodConditions`. (Fields a Kubernetes
/// client may leave out are optional here, so the validation, not decoding, refuses them.)
public struct PodFailurePolicyRule: Codable, Sendable, Equatable {
    public var action: String?
    public var onExitCodes: PodFailurePolicyOnExitCodesRequirement?
    public var onPodConditions: [PodFailurePolicyOnPodConditionsPattern]?
}

/// Matches a container (any, or `containerName`) that terminated with a non-zero exit code
/// `In` / `NotIn` `values`.
public struct PodFailurePolicyOnExitCodesRequirement: Codable, Sendable, Equatable {
    public var containerName: String?
    public var `operator`: String?
    public var values: [Int32]?
}

/// Matches a pod condition of `type` with `status` (defaulted to True).
public struct PodFailurePolicyOnPodConditionsPattern: Codable, Sendable, Equatable {
    public var type: String?
    public var status: String?
}

public struct JobStatus: Codable, Sendable, Equatable {
    public var conditions: [WorkloadCondition]?
    public var startTime: String?
    public var completionTime: String?
    public var active: Int32?
    public var succeeded: Int32?
    public var failed: Int32?
    public var terminating: Int32?
    public var ready: Int32?
    public var completedIndexes: String?
    public var failedIndexes: String?
    public var uncountedTerminatedPods: UncountedTerminatedPods?
}

/// Pods whose finish the Job controller has seen but not yet counted (their UIDs), so a pod
/// whose `job-tracking` finalizer is removed is counted exactly once.
public struct UncountedTerminatedPods: Codable, Sendable, Equatable {
    public var succeeded: [String]?
    public var failed: [String]?
}
