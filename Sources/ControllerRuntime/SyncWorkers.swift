import Logging
import Wire

/// What a sync that returned (did not throw) asks of the work queue for its key.
public enum SyncResult: Sendable, Equatable {
    /// Done: the key's back-off is reset.
    case done
    /// Done for now; look again after this many seconds (a deadline, minReadySeconds, a
    /// schedule). The back-off is reset.
    case again(after: Double)
    /// Something failed that the sync reported itself (an event, a status condition):
    /// retry with back-off, without a log line.
    case retry

    /// `.again(after:)` if `seconds` is set, else `.done`.
    public static func after(_ seconds: Double?) -> SyncResult { seconds.map { .again(after: $0) } ?? .done }
}

/// The workload controllers' worker loop (Kubernetes' `processNextWorkItem`), one policy
/// for all: a sync that throws is requeued with back-off, whatever the error. A 409 (the
/// cache was behind a write; its event usually brings a fresh sync anyway) is logged at
/// debug level, any other error as a warning.
extension WorkQueue where Key == String {
    /// Runs `workers` loops handing each key to `sync` (`process`) until the queue shuts
    /// down or the task is cancelled. `kind` names the object in logs ("replicaset").
    public func runSyncs(workers: Int, logger: Logger, kind: String,
                         _ sync: @escaping @Sendable (String) async throws(Status) -> SyncResult) async {
        await run(workers: workers) { key in await self.process(key, logger: logger, kind: kind, sync) }
    }

    /// One key through `sync`, then the policy above for what it returned or threw.
    public func process(_ key: String, logger: Logger, kind: String, _ sync: (String) async throws(Status) -> SyncResult) async {
        do throws(Status) {
            switch try await sync(key) {
            case .done:
                forget(key)
            case .again(let seconds):
                forget(key)
                add(key, after: seconds)
            case .retry:
                addRateLimited(key)
            }
        } catch {
            let metadata: Logger.Metadata = [kind: .string(key), "error": .string(error.message)]
            if error.code == 409 {
                logger.debug("\(kind) sync conflicted", metadata: metadata)
            } else {
                logger.warning("\(kind) sync failed", metadata: metadata)
            }
            addRateLimited(key)
        }
    }
}
