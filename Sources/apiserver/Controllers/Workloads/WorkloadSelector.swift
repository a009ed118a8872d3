import ControllerRuntime

/// A workload's `spec.selector` (ReplicaSet, Deployment, DaemonSet, Job), decoded once here.
enum WorkloadSelector {
    /// The selector, or nil if it is missing or invalid. Callers that must not match
    /// everything check `isEmpty` themselves (Kubernetes: an empty selector selects nothing
    /// for these controllers).
    static func of(_ workload: JSON) -> LabelSelector? {
        guard let spec = try? Client.decode(LabelSelectorSpec.self, workload["spec"]["selector"]) else { return nil }
        return try? LabelSelector(spec)
    }
}
