import ControllerRuntime
import Logging

/// Empties namespaces being deleted: deletes every object in them, then removes the
/// `kubernetes` entry from the namespace's `spec.finalizers`, which lets the apiserver remove
/// it once no other finalizer is left.
struct NamespaceController: Sendable {
    let client: Client
    let logger: Logger
    /// Kinds whose objects live in namespaces and are served here.
    static let contents: [ResourceType] = Registry.standard.served.filter(\.namespaced)

    /// Namespaces being deleted, by name; two workers, so one slow namespace does not hold
    /// the others up.
    func run(factory: SharedInformerFactory, workers: Int = 2) async {
        let queue = WorkQueue<String>(clock: factory.clock)
        factory.informer(.namespaces).addHandler { event in
            switch event {
            case .added(let ns), .updated(_, let ns):
                if !ns["metadata"]["deletionTimestamp"].isNull, let n = ns["metadata"]["name"].stringValue { queue.add(n) }
            case .deleted(let ns, _):
                if let n = ns["metadata"]["name"].stringValue { queue.forget(n) }
            }
        }
        await queue.run(workers: workers) { name in
            do throws(Status) {
                if try await finalize(name) {
                    queue.forget(name)
                } else {
                    // Deleted objects may still be held by finalizers: look again shortly.
                    queue.add(name, after: 1)
                }
            } catch {
                logger.warning("namespace cleanup failed", metadata: ["namespace": .string(name), "error": .string(error.message)])
                queue.addRateLimited(name)
            }
        }
    }

    /// Deletes what is left; true once the namespace could be released.
    func finalize(_ name: String) async throws(Status) -> Bool {
        guard let ns = try await client.getIfPresent(.namespaces, name: name), !ns["metadata"]["deletionTimestamp"].isNull else { return true }
        var remaining = 0
        for type in Self.contents {
            let items = try await client.list(type, namespace: name).items
            remaining += items.count
            for o in items where o["metadata"]["deletionTimestamp"].isNull {
                do {
                    // Background, as Kubernetes' namespace deleter (a Job's default would orphan its pods).
                    try await client.delete(type, namespace: name, name: o["metadata"]["name"].stringValue ?? "", propagationPolicy: "Background")
                } catch {
                    if !error.isNotFound { throw error }
                }
            }
        }
        if remaining > 0 {
            // Deleted objects may still be held by finalizers; look again shortly.
            var left = 0
            for type in Self.contents { left += try await client.list(type, namespace: name).items.count }
            if left > 0 { return false }
        }
        return try await releaseFinalizer(ns)
    }

    /// Removes only the `kubernetes` finalizer (others belong to someone else); the apiserver
    /// deletes the namespace once `spec.finalizers` and `metadata.finalizers` are empty. False
    /// if the namespace changed meanwhile and must be looked at again.
    func releaseFinalizer(_ ns: JSON) async throws(Status) -> Bool {
        let name = ns["metadata"]["name"].stringValue ?? ""
        let finalizers = ns["spec"]["finalizers"].arrayValue ?? []
        guard finalizers.contains("kubernetes") else { return true }
        let rest = finalizers.filter { $0 != "kubernetes" }
        let patch: JSON = ["metadata": ["resourceVersion": ns["metadata"]["resourceVersion"]],
                           "spec": ["finalizers": rest.isEmpty ? .null : .array(rest)]]
        do {
            _ = try await client.patch(.namespaces, name: name, patch)
        } catch where error.code == 409 {
            return false
        } catch where error.isNotFound {
            return true
        }
        logger.info(rest.isEmpty ? "namespace emptied and deleted" : "namespace emptied; waiting for other finalizers",
                    metadata: ["namespace": .string(name)])
        return true
    }
}
