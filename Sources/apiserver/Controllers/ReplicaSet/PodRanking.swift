import Wire

/// The order in which a ReplicaSet scales down: Kubernetes' `ActivePodsWithRanks`, the
/// pods it costs least to lose first:
/// 1. not yet on a node before scheduled;
/// 2. Pending before Unknown before Running;
/// 3. not ready before ready;
/// 4. lower `controller.kubernetes.io/pod-deletion-cost` before higher (0 when unset);
/// 5. more related active pods on the same node before fewer (doubled-up pods): the pods
///    of every ReplicaSet with the same controller (a Deployment's old and new ones), none
///    for a ReplicaSet without a controller (Kubernetes' `getIndirectlyRelatedPods`);
/// 6. ready for a shorter time before longer;
/// 7. more container restarts before fewer;
/// 8. newer before older;
/// then by name, so the choice is stable.
/// Simplified: times compare exactly, not in Kubernetes' logarithmic buckets
/// (`LogarithmicScaleDown`).
enum PodRanking {
    /// The first `count` of `pods` in scale-down order (O(n log n)).
    static func podsToDelete(_ pods: [JSON], related: [JSON], count: Int) -> [JSON] {
        guard count < pods.count else { return pods }
        var perNode: [String: Int] = [:]
        for p in related where PodState.isActive(p) { perNode[p["spec"]["nodeName"].stringValue ?? "", default: 0] += 1 }
        let ranked = pods.map { Ranked(pod: $0, rank: perNode[$0["spec"]["nodeName"].stringValue ?? ""] ?? 0) }
        return ranked.sorted(by: Ranked.deleteFirst).prefix(count).map(\.pod)
    }

    struct Ranked {
        let pod: JSON
        let rank: Int
        let assigned: Bool
        let phaseOrder: Int
        let deletionCost: Int32
        let readySince: Double?
        let restarts: Int
        let created: Double
        let name: String

        init(pod: JSON, rank: Int) {
            self.pod = pod
            self.rank = rank
            assigned = !(pod["spec"]["nodeName"].stringValue ?? "").isEmpty
            switch PodState.phase(pod) {
            case "Pending": phaseOrder = 0
            case "Unknown": phaseOrder = 1
            case "Running": phaseOrder = 2
            default: phaseOrder = 3
            }
            deletionCost = PodDeletionCost.of(pod)
            readySince = PodState.readySince(pod)
            restarts = PodState.maxRestarts(pod)
            created = pod["metadata"]["creationTimestamp"].stringValue.flatMap(Timestamp.parse) ?? 0
            name = pod["metadata"]["name"].stringValue ?? ""
        }

        /// True when `a` goes before `b`.
        static func deleteFirst(_ a: Ranked, _ b: Ranked) -> Bool {
            if a.assigned != b.assigned { return !a.assigned }
            if a.phaseOrder != b.phaseOrder { return a.phaseOrder < b.phaseOrder }
            if (a.readySince != nil) != (b.readySince != nil) { return a.readySince == nil }
            if a.deletionCost != b.deletionCost { return a.deletionCost < b.deletionCost }
            if a.rank != b.rank { return a.rank > b.rank }
            if let ra = a.readySince, let rb = b.readySince, ra != rb { return ra > rb }
            if a.restarts != b.restarts { return a.restarts > b.restarts }
            if a.created != b.created { return a.created > b.created }
            return a.name > b.name
        }
    }
}

extension PodState {
    /// The most restarts of any one container (Kubernetes' `maxContainerRestarts`).
    static func maxRestarts(_ pod: JSON) -> Int {
        (pod["status"]["containerStatuses"].arrayValue ?? []).map { $0["restartCount"].intValue ?? 0 }.max() ?? 0
    }
}
