/// What the hub's controllers keep of each pod in their shared informer (client-go's
/// `SetTransform`): the scheduler and taint eviction read metadata (name, namespace, uid,
/// labels, resourceVersion, deletionTimestamp), the spec, the phase and the conditions,
/// never annotations (but the ReplicaSet's `controller.kubernetes.io/pod-deletion-cost`),
/// managedFields or container statuses, which are most of a running
/// pod's size; of those statuses only each container's `restartCount` stays (the
/// ReplicaSet controller deletes the pods that restarted most first when scaling down). The scheduler writes status only for pods not bound yet, which have no
/// container statuses to lose; a status update takes nothing else from the body.
enum PodCacheTransform {
    @Sendable static func keepWhatControllersRead(_ pod: JSON) -> JSON {
        guard case .object = pod else { return pod }
        var out = pod
        if !out["metadata"]["annotations"].isNull {
            let cost = out["metadata"]["annotations"][PodDeletionCost.annotation]
            out[path: ["metadata", "annotations"]] = cost.isNull ? .null : [PodDeletionCost.annotation: cost]
        }
        if !out["metadata"]["managedFields"].isNull { out[path: ["metadata", "managedFields"]] = .null }
        if !(out["spec"]["nodeName"].stringValue ?? "").isEmpty {
            for field in ["initContainerStatuses", "ephemeralContainerStatuses"] where !out["status"][field].isNull {
                out[path: ["status", field]] = .null
            }
            if let statuses = out["status"]["containerStatuses"].arrayValue {
                out[path: ["status", "containerStatuses"]] = .array(statuses.map { ["restartCount": $0["restartCount"].intValue.map(JSON.int) ?? 0] })
            }
        }
        return out
    }
}
