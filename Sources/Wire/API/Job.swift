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
