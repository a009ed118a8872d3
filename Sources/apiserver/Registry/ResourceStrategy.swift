/// What the apiserver does differently for one kind: its schema, defaults, validation,
/// how updates treat spec and status, and which fields selectors may name.
///
/// Strategies are pure functions of the objects they are given; they touch no storage.
protocol ResourceStrategy: Sendable {
    /// The typed form whose fields are exactly the fields Skiff knows for this kind.
    associatedtype Typed: Decodable
    var type: ResourceType { get }
    /// True if `status` is written through the status subresource only.
    var hasStatusSubresource: Bool { get }
    /// True if `metadata.generation` counts changes to `spec`.
    var tracksGeneration: Bool { get }
    /// Fills in Kubernetes' defaults.
    func applyDefaults(_ object: inout JSON)
    /// Server-side preparation on create (status reset, folding write-only fields).
    func prepareForCreate(_ object: inout JSON)
    /// Kind-specific validation of a whole object (whose JSON types already match `Typed`),
    /// after `applyDefaults`, as Kubernetes validates the defaulted object.
    func validate(_ object: JSON) -> [Status.Cause]
    /// Kind-specific checks of a prepared create (after defaults and `prepareForCreate`,
    /// with its name and uid), beyond `validate`.
    func validateCreate(_ object: JSON) -> [Status.Cause]
    /// Server-side preparation of an update (after defaults, before validation): fields the
    /// server keeps, such as a DaemonSet's template generation.
    func prepareForUpdate(_ new: inout JSON, old: JSON)
    /// Kind-specific checks of an update (immutable fields).
    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause]
    /// The object's value for a field selector field; nil if the field is not supported.
    func fieldValue(_ object: JSON, _ field: String) -> String?
    /// True once nothing holds the object back from deletion (finalizers).
    func readyToDelete(_ object: JSON) -> Bool
    /// Marks the start of a deletion that must wait (sets phases such as Terminating).
    func beginDeletion(_ object: inout JSON)
    /// What a delete naming no `propagationPolicy` does to dependents (Kubernetes'
    /// `DefaultGarbageCollectionPolicy`): `Background`, or `Orphan`.
    var defaultGarbageCollectionPolicy: String { get }
    /// The warning a delete naming no policy answers with, if the kind has one.
    var defaultPolicyWarning: String? { get }
}

extension ResourceStrategy {
    var hasStatusSubresource: Bool { false }
    var tracksGeneration: Bool { false }
    func applyDefaults(_ object: inout JSON) {}
    func prepareForCreate(_ object: inout JSON) {
        if hasStatusSubresource { object["status"] = .null }
    }
    func prepareForUpdate(_ new: inout JSON, old: JSON) {}
    func validate(_ object: JSON) -> [Status.Cause] { [] }
    func validateCreate(_ object: JSON) -> [Status.Cause] { [] }
    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause] { [] }
    func fieldValue(_ object: JSON, _ field: String) -> String? { commonFieldValue(object, field) }
    func readyToDelete(_ object: JSON) -> Bool { (object["metadata"]["finalizers"].arrayValue ?? []).isEmpty }
    func beginDeletion(_ object: inout JSON) {}
    var defaultGarbageCollectionPolicy: String { "Background" }
    var defaultPolicyWarning: String? { nil }

    func commonFieldValue(_ object: JSON, _ field: String) -> String? {
        switch field {
        case "metadata.name": return object["metadata"]["name"].stringValue ?? ""
        case "metadata.namespace": return object["metadata"]["namespace"].stringValue ?? ""
        default: return nil
        }
    }

    /// The JSON shape of `Typed`, derived once.
    var schema: Schema { SchemaProbe.schema(for: Typed.self) }

    /// Walks `object` against the kind's schema: returns the unknown fields, or throws 400
    /// naming the field whose JSON type is wrong. (Validation comes later, after defaults.)
    func unknownFields(_ object: JSON) throws(Status) -> [JSONPath] {
        try ObjectPreparation.unknownFields(object, schema, kind: type.kind, version: type.version)
    }
}

func describe(_ e: DecodingError) -> String {
    switch e {
    case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
        let p = JSONPath(codingPath: c.codingPath).description
        return (p.isEmpty ? "" : "\(p): ") + c.debugDescription
    case .keyNotFound(let k, let c):
        let p = JSONPath(codingPath: c.codingPath).appending(k.stringValue).description
        return "\(p): Required value"
    @unknown default:
        return "\(e)"
    }
}
