/// Checks a JSON value against a `Schema`: collects the paths of keys the schema does not
/// know, and throws on the first value of the wrong JSON type or missing required field.
///
/// Pure function of its inputs; allocates only for what it reports.
public enum SchemaWalker {
    public struct TypeError: Error, Sendable, CustomStringConvertible {
        public var path: JSONPath
        public var message: String
        public var description: String { path.components.isEmpty ? message : "\(path): \(message)" }
    }

    /// The unknown fields' paths, in document order.
    public static func unknownFields(in value: JSON, schema: Schema) throws(TypeError) -> [JSONPath] {
        var unknown: [JSONPath] = []
        var path: [JSONPathComponent] = []
        try walk(value, schema, &path, &unknown)
        return unknown
    }

    static func walk(_ v: JSON, _ s: Schema, _ path: inout [JSONPathComponent], _ unknown: inout [JSONPath]) throws(TypeError) {
        switch s {
        case .any:
            return
        case .object(let fields):
            guard case .object(let o) = v else { throw mismatch(s, v, path) }
            for (k, child) in o {
                guard let f = fields[k] else {
                    unknown.append(JSONPath(path + [.key(k)]))
                    continue
                }
                if child.isNull {
                    if f.required { throw TypeError(path: JSONPath(path + [.key(k)]), message: "Required value") }
                    continue
                }
                path.append(.key(k))
                try walk(child, f.schema, &path, &unknown)
                path.removeLast()
            }
            for (k, f) in fields where f.required && o[k] == nil {
                throw TypeError(path: JSONPath(path + [.key(k)]), message: "Required value")
            }
        case .map(let element):
            guard case .object(let o) = v else { throw mismatch(s, v, path) }
            for (k, child) in o where !child.isNull {
                path.append(.key(k))
                try walk(child, element, &path, &unknown)
                path.removeLast()
            }
        case .array(let element):
            guard case .array(let a) = v else { throw mismatch(s, v, path) }
            for (i, child) in a.enumerated() where !child.isNull {
                path.append(.index(i))
                try walk(child, element, &path, &unknown)
                path.removeLast()
            }
        case .string:
            guard case .string = v else { throw mismatch(s, v, path) }
        case .boolean:
            guard case .bool = v else { throw mismatch(s, v, path) }
        case .number:
            guard case .number = v else { throw mismatch(s, v, path) }
        case .integer:
            guard case .number(let n) = v else { throw mismatch(s, v, path) }
            if Int64(n) == nil, !(Double(n).map { $0 == $0.rounded() && abs($0) < 9.2e18 } ?? false) {
                throw TypeError(path: JSONPath(path), message: "\(n) is not an integer in range")
            }
        case .int32:
            // A value the typed form could not hold would otherwise reach the controllers,
            // which do arithmetic on it (Kubernetes' decoder refuses it the same way).
            guard case .number(let n) = v else { throw mismatch(s, v, path) }
            if Int32(n) == nil {
                guard let d = Double(n), d == d.rounded() else { throw TypeError(path: JSONPath(path), message: "\(n) is not an integer in range") }
                if abs(d) > 2147483647 { throw TypeError(path: JSONPath(path), message: "\(n) is not a 32-bit integer") }
            }
        case .quantity:
            switch v {
            case .string, .number: return
            default: throw mismatch(s, v, path)
            }
        case .intOrString:
            // Kubernetes' IntOrString holds an int32: a larger integer is refused as an
            // int32 field's is (the controllers add and multiply these numbers).
            switch v {
            case .string: return
            case .number(let n) where Int32(n) != nil: return
            case .number(let n) where Int(n) != nil || (Double(n).map { $0 == $0.rounded() && abs($0) > 2147483647 } ?? false):
                throw TypeError(path: JSONPath(path), message: "\(n) is not a 32-bit integer")
            default: throw mismatch(s, v, path)
            }
        }
    }

    static func mismatch(_ s: Schema, _ v: JSON, _ path: [JSONPathComponent]) -> TypeError {
        TypeError(path: JSONPath(path), message: "expected \(s.name), got \(v.typeName)")
    }
}
