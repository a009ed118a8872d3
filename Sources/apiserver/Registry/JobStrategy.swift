/// batch/v1 Job: Kubernetes' defaults, the generated selector and pod labels, and the
/// validation of `pkg/apis/batch/validation` for the fields Skiff serves.
struct JobStrategy: ResourceStrategy {
    typealias Typed = Job
    let type = ResourceType.jobs
    var hasStatusSubresource: Bool { true }
    var tracksGeneration: Bool { true }

    /// The labels Kubernetes puts on a Job's template (and so on its pods).
    static let controllerUIDLabel = "batch.kubernetes.io/controller-uid"
    static let jobNameLabel = "batch.kubernetes.io/job-name"
    static let legacyControllerUIDLabel = "controller-uid"
    static let legacyJobNameLabel = "job-name"

    /// batch/v1 Jobs orphan their pods by default, for backward compatibility, and say so.
    var defaultGarbageCollectionPolicy: String { "Orphan" }
    var defaultPolicyWarning: String? {
        "child pods are preserved by default when jobs are deleted; "
            + "set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"
    }

    func applyDefaults(_ job: inout JSON) {
        // Kubernetes: both unset → 1 and 1; parallelism alone set → a work queue (no completions).
        if job["spec"]["completions"].isNull && job["spec"]["parallelism"].isNull {
            job[path: ["spec", "completions"]] = 1
        }
        job.setDefault(["spec", "parallelism"], 1)
        JobFailurePolicyValidation.applyDefaults(&job)
        job.setDefault(["spec", "backoffLimit"], 6)
        job.setDefault(["spec", "completionMode"], "NonIndexed")
        job.setDefault(["spec", "suspend"], false)
        job.setDefault(["spec", "podReplacementPolicy"], "TerminatingOrFailed")
        PodTemplateRules.applyDefaults(&job)
    }

    /// Kubernetes' `generateSelector`: unless `manualSelector` is true, the template gets the
    /// job-name and controller-uid labels (both forms; labels the user set are kept, and
    /// refused by `validateCreate` if wrong) and the selector matches the uid.
    func prepareForCreate(_ job: inout JSON) {
        job["status"] = .null
        guard job["spec"]["manualSelector"].boolValue != true else { return }
        let name = job["metadata"]["name"], uid = job["metadata"]["uid"]
        var labels = job["spec"]["template"]["metadata"]["labels"].objectValue ?? JSONObject()
        for key in [Self.legacyJobNameLabel, Self.jobNameLabel] where labels[key] == nil { labels[key] = name }
        for key in [Self.legacyControllerUIDLabel, Self.controllerUIDLabel] where labels[key] == nil { labels[key] = uid }
        job[path: ["spec", "template", "metadata", "labels"]] = .object(labels)
        if job["spec"]["selector"]["matchLabels"][Self.controllerUIDLabel].isNull {
            job[path: ["spec", "selector", "matchLabels", Self.controllerUIDLabel]] = uid
        }
    }

    func validate(_ job: JSON) -> [Status.Cause] {
        // The selector is generated at create unless `manualSelector` is true.
        let manual = job["spec"]["manualSelector"].boolValue == true
        var causes = PodTemplateRules.validate(job, kind: type.kind, allowedRestartPolicies: ["OnFailure", "Never"], selectorRequired: manual)
        let spec = job["spec"]
        for f in ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"] {
            if let v = spec[f].intValue, v < 0 { causes.append(.negative("spec." + f, v)) }
        }
        let mode = spec["completionMode"].stringValue ?? "NonIndexed"
        if !["NonIndexed", "Indexed"].contains(mode) {
            causes.append(.notSupported("spec.completionMode", mode, supported: ["NonIndexed", "Indexed"]))
        } else if mode == "Indexed" && spec["completions"].isNull {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value: when completion mode is Indexed", field: "spec.completions"))
        }
        causes += JobFailurePolicyValidation.validatePerIndex(spec)
        causes += JobFailurePolicyValidation.validatePolicy(spec)
        causes += JobSuccessPolicyValidation.validate(spec)
        // With a podFailurePolicy only Failed is allowed (checked there).
        if spec["podFailurePolicy"].isNull, let p = spec["podReplacementPolicy"].stringValue, !["TerminatingOrFailed", "Failed"].contains(p) {
            causes.append(.notSupported("spec.podReplacementPolicy", p, supported: ["TerminatingOrFailed", "Failed"]))
        }
        return causes
    }

    /// Kubernetes' `validateGeneratedSelector`: the labels and selector it generated must be
    /// exactly its own (a user's `controller-uid` label naming another uid is refused).
    func validateCreate(_ job: JSON) -> [Status.Cause] {
        let uid = job["metadata"]["uid"].stringValue ?? "", name = job["metadata"]["name"].stringValue ?? ""
        var causes: [Status.Cause] = []
        // An Indexed Job's pods are named and hostnamed `<job>-<index>`: the last must be a DNS label.
        if job["spec"]["completionMode"].stringValue == "Indexed", let c = job["spec"]["completions"].intValue, c > 0 {
            let last = "\(name)-\(c - 1)"
            if LabelSyntax.dns1123LabelProblem(last) != nil {
                causes.append(.invalid("metadata.name", name, "will not able to create pod with invalid DNS label: \(last)"))
            }
        }
        guard job["spec"]["manualSelector"].boolValue != true else { return causes }
        let labels = job["spec"]["template"]["metadata"]["labels"]
        for (key, want) in [(Self.legacyControllerUIDLabel, uid), (Self.controllerUIDLabel, uid), (Self.legacyJobNameLabel, name), (Self.jobNameLabel, name)] {
            let got = labels[key].stringValue ?? ""
            if got != want { causes.append(.invalid("spec.template.metadata.labels[\(key)]", got, "must be '\(want)'")) }
        }
        let selector = job["spec"]["selector"]
        if !causes.contains(where: { $0.field.hasPrefix("spec.template") }), let spec = try? JSONValueDecoder.decode(LabelSelectorSpec.self, from: selector).value,
           let parsed = try? LabelSelector(spec), !parsed.matches(labelsJSON: labels) {
            causes.append(.invalid("spec.selector", selector.compactString, "`selector` not auto-generated"))
        }
        return causes
    }

    /// Kubernetes' `ValidateJobSpecUpdate`: selector, template, completions,
    /// completionMode, podFailurePolicy, backoffLimitPerIndex and successPolicy are fixed after
    /// create (Skiff does not take the exceptions Kubernetes makes for suspended or elastic
    /// Indexed Jobs).
    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        for f in ["selector", "template", "completions", "completionMode", "podFailurePolicy", "backoffLimitPerIndex", "successPolicy"] where new["spec"][f] != old["spec"][f] {
            // Integers print bare, as Kubernetes' field errors print them.
            if let n = new["spec"][f].intValue {
                causes.append(.invalid("spec." + f, int: n, "field is immutable"))
            } else {
                causes.append(.invalid("spec." + f, new["spec"][f].compactString, "field is immutable"))
            }
        }
        return causes
    }
}
