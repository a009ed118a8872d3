/// kubectl's columns for workload kinds that need more than a line in `Columns`.
extension Columns {
    /// kubectl's printDaemonSet: the status counters, the template's nodeSelector
    /// (`<none>` when empty); `-o wide` adds the containers, their images and the selector.
    static func daemonSetRow(_ ds: JSON, name: String, age: String, wide: Bool) -> [String] {
        let s = ds["status"]
        func n(_ field: String) -> String { String(s[field].intValue ?? 0) }
        let spec = ds["spec"]["template"]["spec"]
        var r = [name, n("desiredNumberScheduled"), n("currentNumberScheduled"), n("numberReady"), n("updatedNumberScheduled"),
                 n("numberAvailable"), formatLabels(spec["nodeSelector"]), age]
        if wide { r += workloadWide(ds) }
        return r
    }

    /// Kubernetes' `labels.FormatLabels`: `k=v` sorted by key, comma-joined; `<none>` if empty.
    static func formatLabels(_ labels: JSON) -> String {
        let pairs = (labels.objectValue?.entries ?? []).map { "\($0.key)=\($0.value.stringValue ?? "")" }.sorted()
        return pairs.isEmpty ? "<none>" : pairs.joined(separator: ",")
    }

    /// `metav1.FormatLabelSelector`: the selector's string form with requirements sorted by
    /// key and `in`/`notin` values sorted; `<none>` when it selects everything.
    static func formatLabelSelector(_ selector: JSON) -> String {
        if selector.isNull { return "<none>" }  // a nil *LabelSelector selects nothing, printed as none
        guard let spec = try? JSONValueDecoder.decode(LabelSelectorSpec.self, from: selector).value,
              var parsed = try? LabelSelector(spec) else { return "<error>" }
        parsed.requirements = parsed.requirements.enumerated().sorted {
            $0.element.key != $1.element.key ? $0.element.key < $1.element.key : $0.offset < $1.offset
        }.map { e in
            var r = e.element
            r.values.sort()
            return r
        }
        let text = parsed.description
        return text.isEmpty ? "<none>" : text
    }
}
