import ControllerRuntime

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

    /// Runs `loops` side by side until the task is cancelled.
    static func runAll(_ loops: [ControllerLoop], factory: SharedInformerFactory) async {
        await withTaskGroup(of: Void.self) { g in
            for l in loops { g.addTask { await l.run(factory) } }
        }
    }
}
