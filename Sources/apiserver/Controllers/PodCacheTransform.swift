/// What the hub's controllers keep of each pod in their shared informer (client-go's
/// `SetTransform`): the scheduler and taint eviction read metadata (name, namespace, uid,
/// labels, resourceVersion, deletionTimestamp), the spec, the phase and the conditions,
/// never annotations (but the ReplicaSet's `controller.kubernetes.io/pod-deletion-cost` and
/// a Job index's `batch.kubernetes.io/job-index-(ignored-)failure-count`),
/// managedFields or container statuses, which are most of a running
/// pod's size; of those statuses only each container's `restartCount` stays (and, once
/// the pod has Failed, each container's and init container's name, exit code and
/// `finishedAt`: a Job's podFailurePolicy and per-index back-off read them) (the
/// ReplicaSet controller deletes the pods that restarted most first when scaling down). The scheduler writes status only for pods not bound yet, which have no
/// container statuses to lose; a status update takes nothing else from the body.
enum PodCacheTransform {
    /// The deletion cost (ReplicaSet scale-down) and a Job index's failure counts
    /// (backoffLimitPerIndex).
    static let keptAnnotations = [PodDeletionCost.annotation, JobRules.indexFailureCountKey, JobRules.indexIgnoredFailureCountKey]

    @Sendable static func keepWhatControllersRead(_ pod: JSON) -> JSON {
        guard case .object = pod else { return pod }
        var out = pod
        if let all = out["metadata"]["annotations"].objectValue {
            var kept = JSONObject()
            for key in keptAnnotations where all[key] != nil { kept[key] = all[key] }
            out[path: ["metadata", "annotations"]] = kept.isEmpty ? .null : .object(kept)
        }
        if !out["metadata"]["managedFields"].isNull { out[path: ["metadata", "managedFields"]] = .null }
        if !(out["spec"]["nodeName"].stringValue ?? "").isEmpty {
            // A Failed pod keeps each container's name, exit code and finish time: a Job's
            // podFailurePolicy matches them, its per-index back-off counts from the finish.
            let failed = out["status"]["phase"] == "Failed"
            for field in ["initContainerStatuses", "ephemeralContainerStatuses"] where !out["status"][field].isNull {
                out[path: ["status", field]] = failed && field == "initContainerStatuses"
                    ? .array((out["status"][field].arrayValue ?? []).map { exitCodeOnly($0, into: [:]) }) : .null
            }
            if let statuses = out["status"]["containerStatuses"].arrayValue {
                out[path: ["status", "containerStatuses"]] = .array(statuses.map { c in
                    let kept: JSON = ["restartCount": c["restartCount"].intValue.map(JSON.int) ?? 0]
                    return failed ? exitCodeOnly(c, into: kept) : kept
                })
            }
        }
        return out
    }

    /// The container's name and, if it terminated, its exit code and finish time, added to `kept`.
    private static func exitCodeOnly(_ c: JSON, into kept: JSON) -> JSON {
        var out = kept
        out["name"] = c["name"]
        if let code = c["state"]["terminated"]["exitCode"].intValue {
            var terminated: JSON = ["exitCode": .int(code)]
            if let at = c["state"]["terminated"]["finishedAt"].stringValue { terminated["finishedAt"] = .string(at) }
            out["state"] = ["terminated": terminated]
        }
        return out
    }
}
