import Foundation

/// After an orphan delete: once the owner is gone, its dependents must still exist and must
/// no longer name it as owner; then the soak deletes them (background).
extension SoakChurn {
    func processOrphans() async {
        var keep: [(obj: TrackedObject, since: Double)] = []
        for w in orphanWatchItems {
            let t = w.obj
            let current: JSON?
            do { current = try await client.getIfPresent(t.kind.type, namespace: namespace, name: t.name, timeout: 5) } catch {
                keep.append(w)
                continue
            }
            if let current, current["metadata"]["uid"].stringValue == t.uid {
                if now() - w.since > 60 {
                    violation("orphan \(t.label)", "orphan delete of \(t.label) not finished after 60 s (finalizers \(current["metadata"]["finalizers"].arrayValue?.compactMap(\.stringValue) ?? []))")
                } else {
                    keep.append(w)
                }
                continue
            }
            let dependentType: ResourceType = t.kind == .deployment ? .replicaSets : (t.kind == .cronJob ? .jobs : .pods)
            guard let deps = try? await client.list(dependentType, namespace: namespace, labelSelector: "\(SoakObjects.appLabel)=\(t.name)").items else {
                keep.append(w)
                continue
            }
            for d in deps {
                let name = d["metadata"]["name"].stringValue ?? "?"
                let owners = d["metadata"]["ownerReferences"].arrayValue ?? []
                if owners.contains(where: { $0["uid"].stringValue == t.uid }) {
                    violation("orphan dep \(name)", "orphan delete of \(t.label): dependent \(dependentType.kind) \(name) still names the deleted owner")
                }
                _ = try? await client.delete(dependentType, namespace: namespace, name: name, propagationPolicy: "Background")
            }
            count("orphan-cleanup")
        }
        orphanWatchItems = keep
    }
}
