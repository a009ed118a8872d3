import Logging
import Wire

/// Waiting for warm informers to catch up with the store. A process that wins leadership
/// back starts its loops on caches kept from its previous term, with fresh expectations:
/// an object that term created but whose watch event is still on its way would look
/// missing and be made twice. Waiting until each cache has applied everything up to a
/// revision read now (a `list` of limit 1) closes that gap.
public enum InformerCatchUp {
    /// One informer to wait for: `applied` returns the revision it has applied so far.
    public struct Target: Sendable {
        public let name: String
        public let revision: Int64
        public let applied: @Sendable () async -> Int64

        public init(name: String, revision: Int64, applied: @escaping @Sendable () async -> Int64) {
            self.name = name
            self.revision = revision
            self.applied = applied
        }
    }

    /// Polls until every target has applied its revision; false when `timeout` seconds
    /// (wall time) pass first, with a warning naming those still behind, or when the task is
    /// cancelled.
    public static func wait(for targets: [Target], timeout: Double, logger: Logger) async -> Bool {
        let deadline = Monotonic.seconds() + timeout
        var behind = targets
        while true {
            var still: [Target] = []
            for t in behind where await t.applied() < t.revision { still.append(t) }
            behind = still
            if behind.isEmpty { return true }
            if Task.isCancelled { return false }
            if Monotonic.seconds() >= deadline {
                logger.warning("informers did not catch up with the store in time; starting anyway",
                               metadata: ["timeoutSeconds": .stringConvertible(timeout),
                                          "behind": .string(behind.map { "\($0.name) (wants \($0.revision))" }.joined(separator: ", "))])
                return false
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

extension SharedInformer {
    /// The revision this informer's cache holds everything up to (0 before its first list).
    public func appliedRevision() async -> Int64 { Int64(await informer.appliedResourceVersion) ?? 0 }
}

extension SharedInformerFactory {
    /// Waits until every informer of this factory that has synced has applied every change
    /// up to the store's revision now (one global counter, read once with a `list` of limit
    /// 1 of the first informer's type and namespace). Quiet types catch up by a watch
    /// bookmark, so this can take one bookmark interval (10 s). False when `timeout` seconds
    /// pass first (logged) or the read fails.
    public func waitUntilCaughtUp(timeout: Double = 15, logger: Logger) async -> Bool {
        let start = Monotonic.seconds()
        let informers = synced
        guard let first = informers.first else { return true }
        let type = await first.informer.type
        var req = Request(verb: .list, resource: type.plural, namespace: await first.informer.namespace)
        req.limit = 1
        let revision: Int64
        do throws(Status) {
            let page = try await client.request(req, timeoutSeconds: max(0.1, timeout)).object
            revision = Int64(page["metadata"]["resourceVersion"].stringValue ?? "") ?? 0
        } catch {
            logger.warning("could not read the store's revision to wait for the informers", metadata: ["resource": .string(type.plural),
                                                                                                     "error": .string(error.message)])
            return false
        }
        var targets: [InformerCatchUp.Target] = []
        for i in informers {
            targets.append(.init(name: await i.informer.type.plural, revision: revision) { await i.appliedRevision() })
        }
        return await InformerCatchUp.wait(for: targets, timeout: max(0, timeout - (Monotonic.seconds() - start)), logger: logger)
    }

    /// Informers whose first list is in their cache.
    var synced: [SharedInformer] { informersMade.filter(\.hasSynced) }
}
