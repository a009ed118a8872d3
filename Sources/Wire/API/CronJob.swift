/// `batch/v1` CronJob: Jobs made from `jobTemplate` on a cron schedule.
public struct CronJob: Codable, Sendable, Equatable {
    public var apiVersion: String? = "batch/v1"
    public var kind: String? = "CronJob"
    public var metadata: ObjectMeta
    public var spec: CronJobSpec?
    public var status: CronJobStatus?
}

public struct CronJobSpec: Codable, Sendable, Equatable {
    public var schedule: String?
    public var timeZone: String?
    public var startingDeadlineSeconds: Int64?
    /// Allow, Forbid or Replace.
    public var concurrencyPolicy: String?
    public var suspend: Bool?
    public var jobTemplate: JobTemplateSpec?
    public var successfulJobsHistoryLimit: Int32?
    public var failedJobsHistoryLimit: Int32?
}

/// What each Job of a CronJob is made from.
public struct JobTemplateSpec: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta?
    public var spec: JobSpec?
}

public struct CronJobStatus: Codable, Sendable, Equatable {
    public var active: [ObjectReference]?
    public var lastScheduleTime: String?
    public var lastSuccessfulTime: String?
}
