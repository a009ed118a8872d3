import Wire

/// Kubernetes' `ControllerRefManager.Claim*`: which of the candidate objects (pods, or a
/// Deployment's ReplicaSets) an owner controls. It keeps its own that still match the
/// selector, releases its own that stopped matching, adopts orphans that match (only after a
/// fresh read shows the owner live and not being deleted), and never touches objects another
/// controller owns.
struct Claims: Sendable {
    let client: Client
    let owner: JSON
    let ownerType: ResourceType
    let dependentType: ResourceType
    let selector: LabelSelector

    /// The candidates this owner controls after adoption and release. Failed patches are
    /// left for the next sync (the object is not counted as claimed).
    func claim(_ candidates: [JSON]) async -> [JSON] {
        let uid = owner["metadata"]["uid"].stringValue ?? ""
        let ownerDeleting = !owner["metadata"]["deletionTimestamp"].isNull
        var claimed: [JSON] = []
        var adoptable: Bool? = nil
        for o in candidates {
            let matches = selector.matches(labelsJSON: o["metadata"]["labels"])
            if let ref = ControllerRefs.controllerOf(o) {
                guard ref["uid"].stringValue == uid else { continue }
                if matches { claimed.append(o); continue }
                // An owner being deleted does not release: its dependents go with it.
                if ownerDeleting || !PodState.isNotBeingDeleted(o) { continue }
                _ = try? await client.patch(dependentType, namespace: o["metadata"]["namespace"].stringValue,
                                            name: o["metadata"]["name"].stringValue ?? "", ControllerRefs.releasePatch(o, ownerUID: uid))
                continue
            }
            guard matches, !ownerDeleting, PodState.isNotBeingDeleted(o) else { continue }
            if adoptable == nil { adoptable = await canAdopt() }
            guard adoptable == true else { continue }
            if let adopted = try? await client.patch(dependentType, namespace: o["metadata"]["namespace"].stringValue,
                                                      name: o["metadata"]["name"].stringValue ?? "", ControllerRefs.adoptionPatch(o, owner: owner, ownerType)) {
                claimed.append(adopted)
            }
        }
        return claimed
    }

    /// Kubernetes' `RecheckDeletionTimestamp`: a live read, not the cache, decides.
    private func canAdopt() async -> Bool {
        guard let fresh = try? await client.getIfPresent(ownerType, namespace: owner["metadata"]["namespace"].stringValue,
                                                         name: owner["metadata"]["name"].stringValue ?? "") else { return false }
        return fresh["metadata"]["uid"] == owner["metadata"]["uid"] && fresh["metadata"]["deletionTimestamp"].isNull
    }
}

extension PodState {
    static func isNotBeingDeleted(_ o: JSON) -> Bool { o["metadata"]["deletionTimestamp"].isNull }
}
