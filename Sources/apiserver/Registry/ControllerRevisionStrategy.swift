/// Kubernetes' ControllerRevision strategy: no status, no generation; `data` is required and
/// may not change, `revision` must not be negative (and may change: a controller re-uses an
/// old revision by raising its number). Messages as Kubernetes' `ValidateControllerRevision`
/// and `ValidateControllerRevisionUpdate`.
struct ControllerRevisionStrategy: ResourceStrategy {
    typealias Typed = ControllerRevision
    let type = ResourceType.controllerRevisions

    func validate(_ revision: JSON) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        if revision["data"].isNull {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value: data is mandatory", field: "data"))
        }
        if let n = revision["revision"].intValue, n < 0 {
            causes.append(.negative("revision", n))
        }
        return causes
    }

    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause] {
        guard new["data"] != old["data"] else { return [] }
        return [.invalid("data", new["data"].compactString, "field is immutable")]
    }
}
