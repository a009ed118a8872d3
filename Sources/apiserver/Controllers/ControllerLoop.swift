import ControllerRuntime
import Logging

/// The leader Leases in `kube-system` the hub's loops run under, as the separate Kubernetes
/// components hold them.
enum LeaderLease: String, CaseIterable, Sendable {
    case controllerManager = "kube-controller-manager"
    case scheduler = "kube-scheduler"

    static let namespace = "kube-system"

    /// Who records the `LeaderElection` events (the component's event source).
    var component: String {
        switch self {
        case .controllerManager: "kube-controller-manager"
        case .scheduler: Scheduler.name
        }
    }
}

/// One loop the controller manager runs: its name (for logs), the Lease it runs under (nil:
/// always, without leader election) and the loop itself, which runs until its task is
/// cancelled (when leadership is lost or the hub stops) and must wait for the informers it
/// reads to sync before acting.
struct ControllerLoop: Sendable {
    let name: String
    let lease: LeaderLease?
    let run: @Sendable (SharedInformerFactory) async -> Void

    init(_ name: String, under lease: LeaderLease?, _ run: @escaping @Sendable (SharedInformerFactory) async -> Void) {
        self.name = name
        self.lease = lease
        self.run = run
    }

    /// Runs `loops` side by side until the task is cancelled. With `catchingUp` (a term of
    /// leadership won back, on caches the previous term left) it first waits, at most 15 s,
    /// until the factory's synced informers have applied everything up to the store's
    /// revision now, so the loops' fresh expectations do not miss the previous term's
    /// writes still on their way (which would be made twice).
    static func runAll(_ loops: [ControllerLoop], factory: SharedInformerFactory, catchingUp logger: Logger? = nil) async {
        if let logger {
            let start = Monotonic.seconds()
            if await factory.waitUntilCaughtUp(logger: logger) {
                logger.info("informers caught up before the loops start", metadata: ["seconds": .stringConvertible(Monotonic.seconds() - start)])
            }
        }
        if Task.isCancelled { return }
        await withTaskGroup(of: Void.self) { g in
            for l in loops { g.addTask { await l.run(factory) } }
        }
    }
}
