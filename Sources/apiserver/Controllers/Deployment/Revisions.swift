import Wire

/// The annotations the deployment controller keeps on its ReplicaSets and on the
/// Deployment (Kubernetes' `deployment/util` annotation helpers).
enum Revisions {
    static let revision = "deployment.kubernetes.io/revision"
    static let revisionHistory = "deployment.kubernetes.io/revision-history"
    static let desiredReplicas = "deployment.kubernetes.io/desired-replicas"
    static let maxReplicas = "deployment.kubernetes.io/max-replicas"
    /// Kubernetes' `maxRevHistoryLengthInChars`.
    static let maxHistoryLength = 2000

    /// Deployment annotations that are not copied to its ReplicaSets.
    static let notCopied: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", revision, revisionHistory, desiredReplicas, maxReplicas,
        "deprecated.deployment.rollback.to",
    ]

    static func annotations(_ o: JSON) -> JSONObject { o["metadata"]["annotations"].objectValue ?? JSONObject() }

    /// Kubernetes' `SetNewReplicaSetAnnotations`: copies the Deployment's annotations,
    /// raises the revision to `newRevision` (keeping the one it replaces in
    /// `revision-history`: an old template came back), and, for a ReplicaSet about to be
    /// made, the replica annotations. Returns the annotations and whether they changed.
    static func newReplicaSetAnnotations(deployment d: JSON, rs: JSON, newRevision: Int, exists: Bool,
                                         desired: Int, maxReplicas: Int) -> (JSONObject, Bool) {
        var a = annotations(rs)
        var changed = false
        for (k, v) in annotations(d) where !notCopied.contains(k) && a[k] != v {
            a[k] = v
            changed = true
        }
        let oldText = a[revision]?.stringValue
        let oldRevision = oldText.flatMap { Int($0) }
        if oldText != nil && oldRevision == nil { return (a, changed) }
        if (oldRevision ?? 0) < newRevision {
            a[revision] = .string(String(newRevision))
            changed = true
            if let old = oldText {
                let history = a[revisionHistory]?.stringValue ?? ""
                if history.isEmpty {
                    a[revisionHistory] = .string(old)
                } else {
                    var entries = history.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    var total = history.count + old.count + 1
                    while total > maxHistoryLength, !entries.isEmpty { total -= entries.removeFirst().count + 1 }
                    if total <= maxHistoryLength { a[revisionHistory] = .string((entries + [old]).joined(separator: ",")) }
                }
            }
        }
        if !exists {
            let (r, ch) = withReplicaAnnotations(a, desired: desired, max: maxReplicas)
            a = r
            changed = changed || ch
        }
        return (a, changed)
    }

    /// Kubernetes' `SetReplicasAnnotations`.
    static func withReplicaAnnotations(_ a: JSONObject, desired: Int, max: Int) -> (JSONObject, Bool) {
        var a = a
        var changed = false
        if a[desiredReplicas]?.stringValue != String(desired) { a[desiredReplicas] = .string(String(desired)); changed = true }
        if a[maxReplicas]?.stringValue != String(max) { a[maxReplicas] = .string(String(max)); changed = true }
        return (a, changed)
    }

    /// Kubernetes' `MaxRevision`.
    static func maxRevision(_ rss: [JSON]) -> Int {
        rss.map { annotations($0)[revision]?.stringValue.flatMap { Int($0) } ?? 0 }.max() ?? 0
    }
}
