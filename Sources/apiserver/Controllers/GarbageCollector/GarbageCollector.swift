import ControllerRuntime
import Logging

/// Kubernetes' garbage collector: deletes objects whose owners (`metadata.ownerReferences`)
/// are all gone, and does the work of the `foregroundDeletion` and `orphan` finalizers a
/// delete request's propagation policy puts on an owner (`DeletionPropagation`).
///
/// An owner graph (`OwnerGraph`) is built from informers of every served kind and says
/// what to look at; an owner is judged missing only by a live read through the API, and
/// every write carries a UID or resourceVersion precondition.
struct GarbageCollector: Sendable {
    let client: Client
    let logger: Logger
    let graph = OwnerGraph()
    /// Owner references a live read found absent, keyed `uid/kind/namespace looked up in/name`.
    let absentOwners = RecentUIDs()
    /// Owners whose dependents were orphaned: a dependent seen only afterwards (created just
    /// before the delete) loses its reference to them instead of being collected.
    let orphanedOwners = RecentUIDs(capacity: 1000)

    /// Kinds other hub controllers cache whole: the collector shares their informers. The
    /// other kinds it watches through metadata-only informers of its own.
    static let sharedWhole: Set<String> = ["pods", "nodes", "namespaces", "replicasets", "deployments", "daemonsets", "controllerrevisions", "jobs"]

    /// The two queues of node UIDs: objects to look at (collect, or finalize in the
    /// foreground), and owners whose dependents are to be orphaned.
    struct Queues: Sendable {
        let attemptToDelete: WorkQueue<String>
        let attemptToOrphan: WorkQueue<String>

        func add(_ changes: GraphChanges) {
            for uid in changes.attemptToDelete { attemptToDelete.add(uid) }
            for uid in changes.attemptToOrphan { attemptToOrphan.add(uid) }
        }
    }

    func run(factory: SharedInformerFactory, workers: Int = 8) async {
        let queues = Queues(attemptToDelete: WorkQueue(clock: factory.clock), attemptToOrphan: WorkQueue(clock: factory.clock))
        var informers: [SharedInformer] = []
        for (index, type) in CollectedKinds.all.enumerated() {
            let informer = Self.sharedWhole.contains(type.plural) ? factory.informer(type) : factory.metadataInformer(type)
            let kind = UInt8(index)
            informer.addHandler { [graph] event in
                switch event {
                case .added(let o), .updated(_, let o): queues.add(graph.observe(o, kind: kind))
                case .deleted(let o, _): queues.add(graph.remove(o["metadata"]["uid"].stringValue ?? ""))
                }
            }
            informers.append(informer)
        }
        // Workers start once the graph holds every kind (an owner seen late is not missing).
        for informer in informers where !(await informer.waitForSync()) { return }
        logger.info("garbage collector synced", metadata: ["objects": .stringConvertible(graph.count)])
        await withTaskGroup(of: Void.self) { g in
            g.addTask {
                await queues.attemptToDelete.run(workers: workers) { uid in
                    await process(uid, queues.attemptToDelete) { () throws(Status) in try await attemptToDelete(uid, queues) }
                }
            }
            g.addTask {
                await queues.attemptToOrphan.run(workers: 2) { uid in
                    await process(uid, queues.attemptToOrphan) { () throws(Status) in try await attemptToOrphan(uid) }
                }
            }
        }
    }

    /// What became of one attempt.
    enum Outcome {
        case done
        /// Look again later, with back-off (a virtual node whose object exists but was not
        /// seen by an informer yet).
        case requeue
    }

    private func process(_ uid: String, _ queue: WorkQueue<String>,
                         _ attempt: () async throws(Status) -> Outcome) async {
        do throws(Status) {
            switch try await attempt() {
            case .done: queue.forget(uid)
            case .requeue: queue.addRateLimited(uid)
            }
        } catch {
            logger.warning("garbage collection failed; retrying", metadata: ["uid": .string(uid), "error": .string(error.message)])
            queue.addRateLimited(uid)
        }
    }
}
