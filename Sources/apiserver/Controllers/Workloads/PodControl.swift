import ControllerRuntime

/// Kubernetes' `podControl` fan-out for one owner, as the ReplicaSet and DaemonSet
/// controllers use it: the owner's expectations are set first (`expect`), then deletions
/// run all at once (`deleteAll`) and creations in slow-start batches (`createAll`), each
/// with a `SuccessfulCreate`/`FailedCreate` or `SuccessfulDelete`/`FailedDelete` event on
/// the owner; a write that will never be observed stops being awaited.
struct PodControl: Sendable {
    let client: Client
    let events: EventRecorder?
    let expectations: ControllerExpectations
    let owner: JSON
    let ownerType: ResourceType
    /// The owner's work-queue key, which its expectations are kept under.
    let key: String

    /// Awaits exactly these creations and deletions (replacing whatever was awaited). Call
    /// it once, before `deleteAll` and `createAll`: an informer event for a write must find
    /// its expectation already there.
    func expect(creations: Int = 0, deleting pods: [JSON] = []) {
        expectations.expect(key, creations: creations, deletingUIDs: pods.compactMap { $0["metadata"]["uid"].stringValue })
    }

    /// Deletes `pods` at once, each preconditioned on its uid (`PodDeletion`). Returns how
    /// many deletes went through and the first error (a pod already gone is none).
    func deleteAll(_ pods: [JSON]) async -> (deleted: Int, error: Status?) {
        let deletion = PodDeletion(client: client, events: events, expectations: expectations)
        let (owner, ownerType, key) = (owner, ownerType, key)
        return await withTaskGroup(of: PodDeletion.Outcome.self) { g in
            for p in pods { g.addTask { await deletion.delete(p, owner: owner, ownerType, key: key) } }
            var deleted = 0, first: Status?
            for await outcome in g {
                if case .deleted = outcome { deleted += 1 }
                if first == nil { first = outcome.error }
            }
            return (deleted, first)
        }
    }

    /// Creates `pods` in slow-start batches (1, 2, 4, ...; a batch with a failure stops the
    /// rest). Each creation that failed or was never tried is counted as observed. Returns
    /// how many were made (a refusal because the namespace is being terminated counts as
    /// made, as in Kubernetes: no event, and it stays awaited until the owner goes) and
    /// the first error.
    func createAll(_ pods: [JSON]) async -> (created: Int, error: Status?) {
        let made = await SlowStart.run(pods) { pod in await create(pod) }
        for _ in 0..<(pods.count - made.successes) { expectations.creationFailed(key) }
        return (made.successes, made.error)
    }

    private func create(_ pod: JSON) async -> Status? {
        do throws(Status) {
            let made = try await client.create(.pods, namespace: owner["metadata"]["namespace"].stringValue, pod)
            events?.record(about: owner, ownerType, reason: "SuccessfulCreate", "Created pod: \(made["metadata"]["name"].stringValue ?? "")")
            return nil
        } catch where error.isNamespaceTerminating {
            // Every later creation there fails too; the namespace's deletion takes the owner.
            return nil
        } catch {
            events?.record(about: owner, ownerType, eventType: "Warning", reason: "FailedCreate", "Error creating: \(error.message)")
            return error
        }
    }
}
