/// Rules every workload with a pod template shares: the template's defaults and
/// validation, and the selector that must match the template's labels.
enum PodTemplateRules {
    /// Kubernetes defaults a template's pod spec as a pod's (without admission's additions).
    static func applyDefaults(_ workload: inout JSON) {
        guard workload["spec"]["template"]["spec"].objectValue != nil else { return }
        var spec = workload["spec"]["template"]["spec"]
        PodStrategy.applySpecDefaults(&spec)
        workload[path: ["spec", "template", "spec"]] = spec
    }

    /// Validates the template as a pod (fields renamed under `spec.template`), its restart
    /// policy against `allowedRestartPolicies`, and the selector against its labels.
    static func validate(_ workload: JSON, kind: String, allowedRestartPolicies: [String], selectorRequired: Bool = true) -> [Status.Cause] {
        let template = workload["spec"]["template"]
        // As Kubernetes' ValidatePodTemplateSpec: the template's labels and annotations too,
        // reported (as there) at spec.template.labels / spec.template.annotations.
        var causes = MetadataValidation.labelsAndAnnotations(template["metadata"], at: "spec.template")
        if template["spec"].objectValue == nil {
            causes.append(.required("spec.template.spec"))
        } else {
            let asPod: JSON = ["metadata": template["metadata"].isNull ? .object(JSONObject()) : template["metadata"], "spec": template["spec"]]
            for c in PodStrategy().validate(asPod) {
                var moved = c
                // Pod metadata checks (the deletion-cost annotation) sit at the template's top.
                let field = c.field.hasPrefix("metadata.") ? String(c.field.dropFirst("metadata.".count)) : c.field
                moved.field = "spec.template." + field
                causes.append(moved)
            }
            let rp = template["spec"]["restartPolicy"].stringValue ?? "Always"
            if !allowedRestartPolicies.contains(rp) {
                causes.append(.notSupported("spec.template.spec.restartPolicy", rp, supported: allowedRestartPolicies))
            }
        }
        let selector = workload["spec"]["selector"]
        if selector.isNull {
            if selectorRequired { causes.append(.required("spec.selector")) }
            return causes
        }
        guard let spec = try? JSONValueDecoder.decode(LabelSelectorSpec.self, from: selector).value,
              let parsed = try? LabelSelector(spec) else {
            causes.append(.invalid("spec.selector", selector.compactString, "invalid label selector"))
            return causes
        }
        if parsed.isEmpty {
            causes.append(.invalid("spec.selector", selector.compactString, "empty selector is invalid for \(kind.lowercased())"))
        } else if !parsed.matches(labelsJSON: template["metadata"]["labels"]) {
            causes.append(.invalid("spec.template.metadata.labels", goMap(template["metadata"]["labels"]), "`selector` does not match template `labels`"))
        }
        return causes
    }

    /// `spec.selector` may not change after create (apps/v1).
    static func validateSelectorUnchanged(_ new: JSON, old: JSON) -> [Status.Cause] {
        if new["spec"]["selector"] != old["spec"]["selector"] {
            return [.invalid("spec.selector", new["spec"]["selector"].compactString, "field is immutable")]
        }
        return []
    }

    /// Kubernetes prints label maps in validation messages as Go does: `map[string]string{"a":"b"}`.
    static func goMap(_ labels: JSON) -> String {
        let pairs = (labels.objectValue ?? JSONObject()).sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value.stringValue ?? "")\"" }
        return "map[string]string{" + pairs.joined(separator: ", ") + "}"
    }

    static func validateReplicas(_ workload: JSON) -> [Status.Cause] {
        if let r = workload["spec"]["replicas"].intValue, r < 0 {
            return [.negative("spec.replicas", r)]
        }
        return []
    }
}

extension JSON {
    /// Sets the value at `path` only where it is unset (null or absent): how strategies
    /// fill in Kubernetes' defaults.
    mutating func setDefault(_ path: [String], _ value: JSON) {
        if self[path: path].isNull { self[path: path] = value }
    }
}
