import Foundation

/// Reads the namespace back: acknowledged writes, convergence once faults stop, and the
/// final delete of everything (nothing may be left behind).
extension SoakChurn {
    var kinds: [TrackedObject.Kind] { cronJobs ? TrackedObject.Kind.allCases : [.deployment, .daemonSet, .job] }

    /// One list per kind; nil when the apiserver did not answer (it may be down on purpose).
    func liveObjects() async -> [TrackedObject.Kind: [String: JSON]]? {
        var live: [TrackedObject.Kind: [String: JSON]] = [:]
        for k in kinds {
            guard let items = try? await client.list(k.type, namespace: namespace).items else { return nil }
            live[k] = Dictionary(items.map { ($0["metadata"]["name"].stringValue ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        }
        return live
    }

    /// Checks every acknowledged write; forgets deleted objects once they are gone.
    @discardableResult
    func checkWrites() async -> Bool {
        guard let live = await liveObjects() else { count("check-skipped"); return false }
        for line in ledgerViolations(tracked, live: live) { violation(line, line) }
        for i in tracked.indices where tracked[i].uid == nil {
            tracked[i].uid = live[tracked[i].kind]?[tracked[i].name]?["metadata"]["uid"].stringValue
        }
        tracked.removeAll { $0.deleting && live[$0.kind]?[$0.name] == nil }
        count("check")
        return true
    }

    /// What still differs from the desired state, one line per object ([] = converged).
    func unconverged(nodes: Int) async -> [String]? {
        guard let live = await liveObjects() else { return nil }
        var out: [String] = []
        func n(_ j: JSON) -> Int { j.intValue ?? 0 }
        for (name, d) in live[.deployment] ?? [:] where d["metadata"]["deletionTimestamp"].isNull {
            let s = d["status"], want = n(d["spec"]["replicas"])
            if n(d["metadata"]["generation"]) != n(s["observedGeneration"]) || n(s["replicas"]) != want || n(s["updatedReplicas"]) != want
                || n(s["availableReplicas"]) != want {
                out.append("Deployment \(name) spec.replicas=\(want) generation=\(n(d["metadata"]["generation"])) observedGeneration=\(n(s["observedGeneration"])) replicas=\(n(s["replicas"])) updated=\(n(s["updatedReplicas"])) available=\(n(s["availableReplicas"]))")
            }
        }
        for (name, d) in live[.daemonSet] ?? [:] where d["metadata"]["deletionTimestamp"].isNull {
            let s = d["status"]
            if n(d["metadata"]["generation"]) != n(s["observedGeneration"]) || n(s["desiredNumberScheduled"]) != nodes
                || n(s["numberAvailable"]) != nodes || n(s["updatedNumberScheduled"]) != nodes {
                out.append("DaemonSet \(name) nodes=\(nodes) desired=\(n(s["desiredNumberScheduled"])) available=\(n(s["numberAvailable"])) updated=\(n(s["updatedNumberScheduled"]))")
            }
        }
        for (name, j) in live[.job] ?? [:] where j["metadata"]["deletionTimestamp"].isNull {
            let conditions = j["status"]["conditions"].arrayValue ?? []
            if conditions.contains(where: { $0["type"] == "Failed" && $0["status"] == "True" }) {
                violation("failed \(name)", "Job \(name) failed: \(conditions.first { $0["type"] == "Failed" }?["message"].stringValue ?? "")")
            } else if !conditions.contains(where: { $0["type"] == "Complete" && $0["status"] == "True" }) {
                out.append("Job \(name) succeeded=\(n(j["status"]["succeeded"])) of \(n(j["spec"]["completions"])) active=\(n(j["status"]["active"]))")
            }
        }
        return out
    }

    /// Waits up to `timeout` for every Deployment, DaemonSet and Job to settle; the seconds it took.
    func converge(nodes: Int, timeout: Double) async -> Double? {
        let start = now()
        var last: [String] = ["apiserver not answering"]
        while now() - start < timeout {
            await processOrphans()
            if let left = await unconverged(nodes: nodes) {
                if left.isEmpty && orphanWatchItems.isEmpty { return now() - start }
                last = left
            }
            try? await Task.sleep(nanoseconds: 1_000_000_000)
        }
        for line in last { violation("converge \(line)", "not converged \(Int(timeout)) s after faults stopped: \(line)") }
        if !orphanWatchItems.isEmpty { violation("orphans", "orphan deletes still pending: \(orphanWatchItems.map(\.obj.label))") }
        return nil
    }

    /// Deletes everything the soak made (every kind it used, whatever it knows of), then the
    /// namespace, and waits for all of it, pods included, to be gone.
    func deleteEverything(timeout: Double) async {
        let start = now()
        let types: [ResourceType] = kinds.map(\.type) + [.replicaSets, .pods]
        var left: [String] = []
        var sentNamespaceDelete = false
        while now() - start < timeout {
            left = []
            for type in types {
                guard let items = try? await client.list(type, namespace: namespace).items else { left.append("\(type.plural): list failed"); continue }
                for o in items {
                    let name = o["metadata"]["name"].stringValue ?? "?"
                    left.append("\(type.kind) \(name)")
                    // Owned ReplicaSets and pods are the garbage collector's to delete (a leak if it does not).
                    let owned = !(o["metadata"]["ownerReferences"].arrayValue ?? []).isEmpty
                    if o["metadata"]["deletionTimestamp"].isNull && !(owned && (type == .pods || type == .replicaSets)) {
                        _ = try? await client.delete(type, namespace: namespace, name: name, propagationPolicy: "Background")
                    }
                }
            }
            if left.isEmpty {
                if !sentNamespaceDelete { _ = try? await client.delete(.namespaces, name: namespace); sentNamespaceDelete = true }
                if (try? await client.getIfPresent(.namespaces, name: namespace)) == .some(nil) {
                    say(String(format: "soak-cleanup seconds=%.1f", now() - start))
                    return
                }
                left = ["Namespace \(namespace)"]
            }
            try? await Task.sleep(nanoseconds: 1_000_000_000)
        }
        violation("leak", "objects left \(Int(timeout)) s after the final delete: \(left.prefix(10).joined(separator: ", "))\(left.count > 10 ? " (+\(left.count - 10))" : "")")
    }
}
