import ControllerRuntime

/// Deleting one of a workload's pods (Kubernetes' `podControl.DeletePod` as the ReplicaSet,
/// DaemonSet and Job controllers use it): a delete preconditioned on the pod's uid, a
/// `SuccessfulDelete` or `FailedDelete` event on the owner, and, when the delete did not
/// happen, the owner's expectations stop waiting for it.
struct PodDeletion {
    let client: Client
    let events: EventRecorder?
    let expectations: ControllerExpectations

    enum Outcome {
        case deleted
        /// Already gone (404, or 409: another pod now has its name).
        case gone
        case failed(Status)

        var error: Status? {
            if case .failed(let e) = self { return e }
            return nil
        }
    }

    func delete(_ pod: JSON, owner: JSON, _ ownerType: ResourceType, key: String) async -> Outcome {
        let meta = pod["metadata"]
        let name = meta["name"].stringValue ?? "", uid = meta["uid"].stringValue ?? ""
        do throws(Status) {
            _ = try await client.delete(.pods, namespace: meta["namespace"].stringValue, name: name, uid: uid)
            events?.record(about: owner, ownerType, reason: "SuccessfulDelete", "Deleted pod: \(name)")
            return .deleted
        } catch {
            expectations.deletionObserved(key, uid: uid)
            if error.isNotFound || error.code == 409 { return .gone }
            events?.record(about: owner, ownerType, eventType: "Warning", reason: "FailedDelete", "Error deleting: \(error.message)")
            return .failed(error)
        }
    }
}
