/// The shape of an API kind's JSON: which fields exist and what JSON type each takes.
/// Derived once from the kind's `Codable` struct (`SchemaProbe`), then walked over incoming
/// objects (`SchemaWalker`) to find unknown fields and wrong types without building the
/// typed value.
public indirect enum Schema: Sendable {
    case object([String: Field])
    /// A JSON object with free-form keys (`labels`, `data`, `resources.limits`).
    case map(Schema)
    case array(Schema)
    case string
    case integer
    /// An integer Kubernetes holds in 32 bits (`int32` fields: replicas, completions, ...).
    case int32
    case number
    case boolean
    /// A quantity: string or number.
    case quantity
    case intOrString
    /// Anything at all (fields Skiff keeps but does not interpret).
    case any

    public struct Field: Sendable {
        public var schema: Schema
        public var required: Bool
    }

    var name: String {
        switch self {
        case .object, .map: return "object"
        case .array: return "array"
        case .string: return "string"
        case .integer, .int32: return "integer"
        case .number: return "number"
        case .boolean: return "boolean"
        case .quantity: return "quantity (string or number)"
        case .intOrString: return "integer or string"
        case .any: return "any"
        }
    }
}

/// Types whose JSON is a single value and that the probe must not look inside.
public protocol SchemaLeaf {
    static var schema: Schema { get }
}

extension Quantity: SchemaLeaf { public static var schema: Schema { .quantity } }
extension IntOrString: SchemaLeaf { public static var schema: Schema { .intOrString } }
extension JSON: SchemaLeaf { public static var schema: Schema { .any } }
