/// The scaling decisions of Kubernetes' deployment controller, as pure functions of the
/// resolved strategy and the ReplicaSets' sizes. Each returns the new `spec.replicas` per
/// ReplicaSet name for the ones that change; the controller writes them.
enum RolloutSteps {
    /// Kubernetes' `NewRSNewReplicas`: how big the new ReplicaSet may be now.
    static func newReplicaSetSize(_ p: RolloutParams, new: ReplicaSetInfo, all: [ReplicaSetInfo]) -> Int {
        guard p.rolling else { return p.replicas }
        let current = all.specReplicas
        let maxTotal = p.maxTotal
        if current >= maxTotal { return new.replicas }
        return new.replicas + max(0, min(maxTotal - current, p.replicas - new.replicas))
    }

    /// Kubernetes' `reconcileNewReplicaSet`: the new ReplicaSet's next size, nil if it stays.
    static func scaleNew(_ p: RolloutParams, new: ReplicaSetInfo, old: [ReplicaSetInfo]) -> Int? {
        if new.replicas == p.replicas { return nil }
        if new.replicas > p.replicas { return p.replicas }
        let size = newReplicaSetSize(p, new: new, all: old + [new])
        return size == new.replicas ? nil : size
    }

    /// Kubernetes' `reconcileOldReplicaSets`: first the old ReplicaSets' unavailable pods
    /// go (`cleanupUnhealthyReplicas`), then old pods while more than
    /// `replicas - maxUnavailable` stay available (`scaleDownOldReplicaSetsForRollingUpdate`).
    static func scaleDownOld(_ p: RolloutParams, new: ReplicaSetInfo, old: [ReplicaSetInfo]) -> [String: Int] {
        var old = old.sorted(by: ReplicaSetInfo.byCreation)
        let oldCount = old.specReplicas
        if oldCount == 0 { return [:] }
        let minAvailable = p.replicas - p.maxUnavailable
        let newUnavailable = new.replicas - new.availableReplicas
        let maxScaledDown = old.specReplicas + new.replicas - minAvailable - newUnavailable
        if maxScaledDown <= 0 { return [:] }
        var sizes: [String: Int] = [:]
        var cleaned = 0
        for i in old.indices {
            if cleaned >= maxScaledDown { break }
            let rs = old[i]
            if rs.replicas == 0 || rs.availableReplicas == rs.replicas { continue }
            let down = min(maxScaledDown - cleaned, rs.replicas - rs.availableReplicas)
            old[i].replicas -= down
            sizes[rs.name] = old[i].replicas
            cleaned += down
        }
        let available = old.availableReplicas + new.availableReplicas
        if available <= minAvailable { return sizes }
        let total = available - minAvailable
        var scaled = 0
        for i in old.indices {
            if scaled >= total { break }
            if old[i].replicas == 0 { continue }
            let down = min(old[i].replicas, total - scaled)
            old[i].replicas -= down
            sizes[old[i].name] = old[i].replicas
            scaled += down
        }
        return sizes
    }

    /// Kubernetes' `scale`: a Deployment resized (or paused) while ReplicaSets of several
    /// templates are active spreads the difference proportionally over them (in a rolling
    /// update every active ReplicaSet is in the answer, with its size unchanged or not).
    static func proportional(_ p: RolloutParams, new: ReplicaSetInfo?, old: [ReplicaSetInfo]) -> [String: Int] {
        let newestFirst = old.sorted { ReplicaSetInfo.byCreation($1, $0) }
        let candidates = (newestFirst + (new.map { [$0] } ?? [])).active
        // One active ReplicaSet (or none): it takes the whole size.
        if candidates.count <= 1 {
            guard let target = candidates.first ?? new ?? newestFirst.first else { return [:] }
            return target.replicas == p.replicas ? [:] : [target.name: p.replicas]
        }
        if let n = new, n.replicas == p.replicas, n.desiredAnnotation == p.replicas, n.availableReplicas == p.replicas {
            // Saturated: the new ReplicaSet is whole, the old ones go.
            var sizes: [String: Int] = [:]
            for rs in old.active { sizes[rs.name] = 0 }
            return sizes
        }
        guard p.rolling else { return [:] }
        let allowed = p.replicas > 0 ? p.maxTotal : 0
        let toAdd = allowed - candidates.specReplicas
        // Every active ReplicaSet is named, changed or not, so its replica annotations are
        // brought to the new size too (else the next sync sees a scaling event again).
        guard toAdd != 0 else { return Dictionary(uniqueKeysWithValues: candidates.map { ($0.name, $0.replicas) }) }
        let ordered = candidates.sorted(by: toAdd > 0 ? ReplicaSetInfo.bySizeNewer : ReplicaSetInfo.bySizeOlder)
        var added = 0
        var sizes: [(String, Int, Int)] = []
        for rs in ordered {
            let share = proportion(rs, p, toAdd: toAdd, added: added)
            sizes.append((rs.name, rs.replicas, rs.replicas + share))
            added += share
        }
        // What rounding left over goes to the largest.
        sizes[0].2 = max(0, sizes[0].2 + toAdd - added)
        var out: [String: Int] = [:]
        for (name, _, size) in sizes { out[name] = size }
        return out
    }

    /// Kubernetes' `GetProportion` and `getReplicaSetFraction`.
    static func proportion(_ rs: ReplicaSetInfo, _ p: RolloutParams, toAdd: Int, added: Int) -> Int {
        if rs.replicas == 0 || toAdd == 0 || toAdd == added { return 0 }
        let fraction: Int
        if p.replicas == 0 {
            fraction = -rs.replicas
        } else {
            // Kubernetes' getMaxReplicasAnnotation: a missing, invalid or 0 annotation falls
            // back to the Deployment's current size (0 would divide by zero).
            let annotated = rs.maxAnnotation.flatMap { $0 > 0 ? $0 : nil } ?? p.statusReplicas
            let size = annotated == 0 ? Double(rs.replicas) : (Double(rs.replicas) * Double(p.maxTotal) / Double(annotated))
            fraction = Int(size.rounded()) - rs.replicas
        }
        let allowed = toAdd - added
        return toAdd > 0 ? min(fraction, allowed) : max(fraction, allowed)
    }

    /// Kubernetes' `isScalingEvent`: an active ReplicaSet annotated for another size.
    static func isScalingEvent(_ p: RolloutParams, all: [ReplicaSetInfo]) -> Bool {
        all.active.contains { rs in rs.desiredAnnotation.map { $0 != p.replicas } ?? false }
    }

    /// Kubernetes' `DeploymentComplete` on a computed status.
    static func complete(replicas: Int, updated: Int, total: Int, available: Int, observedGeneration: Int, generation: Int) -> Bool {
        updated == replicas && total == replicas && available == replicas && observedGeneration >= generation
    }
}
