import ControllerRuntime
import Logging

/// Kubernetes' ttl-after-finished controller: a Job that finished (Complete or Failed) and
/// sets `ttlSecondsAfterFinished` is deleted that many seconds after its finish (the
/// condition's lastTransitionTime). Before deleting it re-reads the Job live and checks
/// again; it deletes with Foreground propagation and the uid as precondition, so the Job's
/// pods go first and a new Job of the same name is never hit.
struct TTLAfterFinishedController: Sendable {
    let client: Client
    let logger: Logger
    let clock: any RuntimeClock

    /// When the Job expires, if it is finished, has a TTL and is not being deleted.
    static func expiry(_ job: JSON) -> Double? {
        guard job["metadata"]["deletionTimestamp"].isNull, let ttl = job["spec"]["ttlSecondsAfterFinished"].intValue,
              let finished = JobRules.finishTime(job) else { return nil }
        return finished + Double(ttl)
    }

    func run(factory: SharedInformerFactory, workers: Int = 1) async {
        let jobs = factory.informer(.jobs)
        let queue = WorkQueue<String>(clock: clock, baseDelay: 1, maxDelay: 60)
        jobs.addHandler { e in
            switch e {
            case .added(let j), .updated(_, let j): if Self.expiry(j) != nil { queue.add(Indexer.key(j)) }
            case .deleted: break
            }
        }
        guard await jobs.waitForSync() else { return }
        await queue.run(workers: workers) { key in
            guard let cached = jobs.indexer.get(key), let at = Self.expiry(cached) else { return }
            let now = clock.now
            if now < at {
                queue.add(key, after: at - now)
                return
            }
            do throws(Status) {
                try await deleteIfExpired(cached)
                queue.forget(key)
            } catch {
                logger.warning("ttl-after-finished: delete failed", metadata: ["job": .string(key), "error": .string(error.message)])
                queue.addRateLimited(key)
            }
        }
    }

    /// The live re-check and the delete.
    func deleteIfExpired(_ cached: JSON) async throws(Status) {
        let m = cached["metadata"]
        guard let fresh = try await client.getIfPresent(.jobs, namespace: m["namespace"].stringValue, name: m["name"].stringValue ?? ""),
              let at = Self.expiry(fresh), at <= clock.now else { return }
        do {
            try await client.delete(.jobs, namespace: m["namespace"].stringValue, name: m["name"].stringValue ?? "",
                                    uid: fresh["metadata"]["uid"].stringValue, propagationPolicy: "Foreground")
            logger.info("deleted a finished Job whose TTL passed", metadata: ["job": .string(Indexer.key(fresh))])
        } catch where error.isNotFound || error.code == 409 {
            // Gone already, or a new Job of that name: nothing to do.
        }
    }
}

