/// Which objects of a resource a watch (or list) wants.
struct ObjectFilter: Sendable {
    var namespace: String?
    var name: String?
    var labels: LabelSelector = LabelSelector()
    var fields: FieldSelector = FieldSelector()
    /// The object's value for a field-selector field (the resource's rules supply it).
    var fieldValue: @Sendable (JSON, String) -> String = { _, _ in "" }

    /// The node a `spec.nodeName=X` field selector pins the objects to (the hub indexes such
    /// watchers by X); nil when there is no such equality.
    var nodeName: String? {
        fields.requirements.first { $0.field == "spec.nodeName" && !$0.negated }?.value
    }

    /// True when every object of the key range passes, so nothing needs evaluating.
    var isTrivial: Bool { name == nil && labels.isEmpty && fields.isEmpty }

    func matches(_ object: JSON) -> Bool {
        let meta = object["metadata"]
        if let name, meta["name"].stringValue != name { return false }
        if let ns = namespace, meta["namespace"].stringValue != ns { return false }
        if !labels.isEmpty && !labels.matches(labelsJSON: meta["labels"]) { return false }
        if !fields.isEmpty && !fields.matches({ fieldValue(object, $0) }) { return false }
        return true
    }
}
