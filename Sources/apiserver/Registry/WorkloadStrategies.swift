/// apps/v1 and batch/v1 workloads: Kubernetes' defaults and validation; status through the
/// subresource and `metadata.generation` counting spec changes, for every one of them.

struct ReplicaSetStrategy: ResourceStrategy {
    typealias Typed = ReplicaSet
    let type = ResourceType.replicaSets
    var hasStatusSubresource: Bool { true }
    var tracksGeneration: Bool { true }

    func applyDefaults(_ rs: inout JSON) {
        if rs["spec"]["replicas"].isNull { rs[path: ["spec", "replicas"]] = 1 }
        PodTemplateRules.applyDefaults(&rs)
    }

    func validate(_ rs: JSON) -> [Status.Cause] {
        PodTemplateRules.validateReplicas(rs) + PodTemplateRules.validate(rs, kind: type.kind, allowedRestartPolicies: ["Always"])
    }

    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause] { PodTemplateRules.validateSelectorUnchanged(new, old: old) }
}

struct DeploymentStrategy: ResourceStrategy {
    typealias Typed = Deployment
    let type = ResourceType.deployments
    var hasStatusSubresource: Bool { true }
    var tracksGeneration: Bool { true }

    func applyDefaults(_ d: inout JSON) {
        d.setDefault(["spec", "replicas"], 1)
        d.setDefault(["spec", "strategy", "type"], "RollingUpdate")
        if d["spec"]["strategy"]["type"].stringValue == "RollingUpdate" {
            d.setDefault(["spec", "strategy", "rollingUpdate", "maxUnavailable"], "25%")
            d.setDefault(["spec", "strategy", "rollingUpdate", "maxSurge"], "25%")
        }
        d.setDefault(["spec", "revisionHistoryLimit"], 10)
        d.setDefault(["spec", "progressDeadlineSeconds"], 600)
        PodTemplateRules.applyDefaults(&d)
    }

    func validate(_ d: JSON) -> [Status.Cause] {
        PodTemplateRules.validateReplicas(d) + DeploymentRules.validate(d)
            + PodTemplateRules.validate(d, kind: type.kind, allowedRestartPolicies: ["Always"])
    }

    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause] { PodTemplateRules.validateSelectorUnchanged(new, old: old) }
}

struct DaemonSetStrategy: ResourceStrategy {
    typealias Typed = DaemonSet
    let type = ResourceType.daemonSets
    var hasStatusSubresource: Bool { true }
    var tracksGeneration: Bool { true }

    func applyDefaults(_ ds: inout JSON) {
        ds.setDefault(["spec", "updateStrategy", "type"], "RollingUpdate")
        if ds["spec"]["updateStrategy"]["type"].stringValue == "RollingUpdate" {
            ds.setDefault(["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"], 1)
            ds.setDefault(["spec", "updateStrategy", "rollingUpdate", "maxSurge"], 0)
        }
        ds.setDefault(["spec", "revisionHistoryLimit"], 10)
        PodTemplateRules.applyDefaults(&ds)
    }

    /// Kubernetes' apps/v1 DaemonSet keeps its template generation (the deprecated
    /// `spec.templateGeneration`) in this annotation: at least 1 at create (a client's
    /// integer above that stays), one more with each template change, a client's value
    /// ignored on update. Daemon pods carry it as `pod-template-generation`.
    static let templateGenerationAnnotation = "deprecated.daemonset.template.generation"

    func prepareForCreate(_ ds: inout JSON) {
        ds["status"] = .null
        let given = Int(ds["metadata"]["annotations"][Self.templateGenerationAnnotation].stringValue ?? "") ?? 0
        ds[path: ["metadata", "annotations", Self.templateGenerationAnnotation]] = .string(String(max(1, given)))
    }

    func prepareForUpdate(_ ds: inout JSON, old: JSON) {
        let key = Self.templateGenerationAnnotation
        // A DaemonSet stored before the annotation existed labelled its pods with its
        // metadata.generation: continue from there so the next template change differs.
        var generation = Int(old["metadata"]["annotations"][key].stringValue ?? "") ?? old["metadata"]["generation"].intValue ?? 0
        if ds["spec"]["template"] != old["spec"]["template"] { generation = generation &+ 1 }  // int64 wraps, as in Go
        if generation != 0 { ds[path: ["metadata", "annotations", key]] = .string(String(generation)) }
    }

    func validate(_ ds: JSON) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        for field in ["minReadySeconds", "revisionHistoryLimit"] {
            if let v = ds["spec"][field].intValue, v < 0 { causes.append(.negative("spec.\(field)", v)) }
        }
        return causes + PodTemplateRules.validate(ds, kind: type.kind, allowedRestartPolicies: ["Always"]) + DaemonSetUpdateRules.validate(ds)
    }

    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause] { PodTemplateRules.validateSelectorUnchanged(new, old: old) }
}
