/// Checks every kind shares: names, labels, annotations, owner references.
enum MetadataValidation {
    static func validate(_ object: JSON, type: ResourceType) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        let meta = object["metadata"]
        let name = meta["name"].stringValue ?? ""
        if name.isEmpty {
            causes.append(.required("metadata.name"))
        } else if let p = type == .namespaces ? LabelSyntax.dns1123LabelProblem(name) : LabelSyntax.dns1123SubdomainProblem(name) {
            causes.append(.invalid("metadata.name", name, p))
        }
        causes += labelsAndAnnotations(meta, at: "metadata")
        for (i, ref) in (meta["ownerReferences"].arrayValue ?? []).enumerated() {
            for f in ["apiVersion", "kind", "name", "uid"] where (ref[f].stringValue ?? "").isEmpty {
                causes.append(.required("metadata.ownerReferences[\(i)].\(f)"))
            }
        }
        causes += finalizerConflicts(meta["finalizers"])
        return causes
    }

    /// Label keys and values, annotation keys and the annotations' total size of `meta`,
    /// reported at `path` (`metadata`, or a template's `spec.template.metadata`).
    static func labelsAndAnnotations(_ meta: JSON, at path: String) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        if case .object(let labels) = meta["labels"] {
            for (k, v) in labels {
                if let p = LabelSyntax.keyProblem(k) { causes.append(.invalid("\(path).labels", k, p)) }
                if let s = v.stringValue, let p = LabelSyntax.valueProblem(s) { causes.append(.invalid("\(path).labels", s, p)) }
            }
        }
        if case .object(let ann) = meta["annotations"] {
            var total = 0
            for (k, v) in ann {
                if let p = LabelSyntax.keyProblem(k) { causes.append(.invalid("\(path).annotations", k, p)) }
                total += k.utf8.count + (v.stringValue?.utf8.count ?? 0)
            }
            if total > 256 * 1024 { causes.append(.init(reason: "FieldValueTooLong", message: "Too long: must have at most 262144 bytes", field: "\(path).annotations")) }
        }
        return causes
    }

    /// The garbage collector's two finalizers exclude each other (Kubernetes' ValidateFinalizers).
    static func finalizerConflicts(_ finalizers: JSON) -> [Status.Cause] {
        let names = (finalizers.arrayValue ?? []).compactMap(\.stringValue)
        let orphan = DeletionPropagation.orphanFinalizer, foreground = DeletionPropagation.foregroundFinalizer
        guard names.contains(orphan) && names.contains(foreground) else { return [] }
        let shown = "[]string{" + names.map { "\"\($0)\"" }.joined(separator: ", ") + "}"
        return [.invalid("metadata.finalizers", bare: shown, "finalizer \(orphan) and \(foreground) cannot be both set")]
    }
}
