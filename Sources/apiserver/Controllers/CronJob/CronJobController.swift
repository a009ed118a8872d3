import ControllerRuntime
import Foundation
import Logging
import Synchronization

/// Kubernetes' cronjob controller (v2): makes a Job from `jobTemplate` at each scheduled
/// time (in `spec.timeZone`, UTC by default), honours startingDeadlineSeconds,
/// concurrencyPolicy and suspend, keeps `status.active` in step with the Jobs it controls,
/// prunes finished Jobs beyond the history limits, and requeues itself for the next
/// scheduled time on the runtime's clock.
///
/// Each Job is named `<cronjob>-<scheduled time in minutes since the epoch>`, so a Job for
/// one scheduled time is made once even when two leaders (one deposed) act on it: the
/// second create gets AlreadyExists and only records the Job.
struct CronJobController: Sendable {
    static let component = "cronjob-controller"
    let client: Client
    let logger: Logger
    let events: EventRecorder?
    let clock: any RuntimeClock
    let memory = CronJobMemory()

    func run(factory: SharedInformerFactory, workers: Int = 2) async {
        let cronJobs = factory.informer(.cronJobs)
        let jobs = factory.informer(.jobs)
        let queue = WorkQueue<String>(clock: clock, baseDelay: 1, maxDelay: 60)
        cronJobs.addHandler { e in
            switch e {
            case .added(let cj), .updated(_, let cj): queue.add(Indexer.key(cj))
            case .deleted(let cj, _): memory.forget(Indexer.key(cj))
            }
        }
        jobs.addHandler { e in
            switch e {
            case .added(let j), .deleted(let j, _):
                if let key = Self.cronJobKey(of: j) { queue.add(key) }
            case .updated(let old, let j):
                if let key = Self.cronJobKey(of: j) { queue.add(key) }
                if let oldKey = Self.cronJobKey(of: old), oldKey != Self.cronJobKey(of: j) { queue.add(oldKey) }
            }
        }
        guard await cronJobs.waitForSync(), await jobs.waitForSync() else { return }
        await queue.runSyncs(workers: workers, logger: logger, kind: "cronjob") { key throws(Status) in
            guard let cached = cronJobs.indexer.get(key) else { return .done }
            let uid = cached["metadata"]["uid"].stringValue ?? ""
            let owned = jobs.indexer.byIndex(Indexes.ownerUID, uid).filter { ControllerRefs.isControlled($0, byUID: uid) }
            return .after(try await sync(cached, jobs: owned))
        }
    }

    /// `namespace/name` of the CronJob that controls the Job, if one does.
    static func cronJobKey(of job: JSON) -> String? {
        guard let ref = ControllerRefs.controllerOf(job), ref["kind"].stringValue == "CronJob",
              ref["apiVersion"].stringValue == "batch/v1", let name = ref["name"].stringValue,
              let ns = job["metadata"]["namespace"].stringValue else { return nil }
        return "\(ns)/\(name)"
    }

    func record(_ cj: JSON, type: String = "Normal", _ reason: String, _ message: String) {
        events?.record(about: cj, .cronJobs, eventType: type, reason: reason, message)
    }
}

/// The resourceVersion of each CronJob after this controller's last status write (lost on
/// restart, which is safe: the first sync then reads a cache at least as new as the store
/// it synced from).
final class CronJobMemory: Sendable {
    private let written = Mutex([String: Int64]())

    static func version(_ o: JSON) -> Int64 { Int64(o["metadata"]["resourceVersion"].stringValue ?? "") ?? 0 }

    func wrote(_ cj: JSON) { written.withLock { $0[Indexer.key(cj)] = Self.version(cj) } }
    func forget(_ key: String) { written.withLock { _ = $0.removeValue(forKey: key) } }
    func isStale(_ cached: JSON) -> Bool {
        written.withLock { w in w[Indexer.key(cached)].map { Self.version(cached) < $0 } ?? false }
    }
}
