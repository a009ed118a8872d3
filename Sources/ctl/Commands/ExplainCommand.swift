import ArgumentParser

/// `explain TYPE[.field.path]`: the fields the apiserver accepts for a kind, from the same
/// schema it checks objects with (derived from Wire's API types). Skiff keeps no field
/// descriptions, so DESCRIPTION says `<empty>`.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "List the fields of a resource type.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "TYPE or TYPE.field.path") var path: [String] = []

    func run() async throws {
        guard path.count == 1 else {
            throw CtlError(path.isEmpty ? "You must specify the type of resource to explain. Use \"ctl api-resources\" for a complete list of supported resources."
                                        : "We accept only this format: explain RESOURCE")
        }
        let parts = path[0].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let t = try ResourceArgs.resolve(parts[0])
        guard let root = Self.schema(for: t) else { throw CtlError("Skiff has no schema for \(t.kind) (it does not serve this kind yet)") }
        var schema = root
        var field: (name: String, schema: Schema, required: Bool)? = nil
        for name in parts.dropFirst() {
            guard case .object(let fields) = Self.unwrap(schema), let f = fields[name] else {
                throw CtlError("field \"\(name)\" does not exist")
            }
            schema = f.schema
            field = (name, f.schema, f.required)
        }
        var out = "KIND:       \(t.kind)\nVERSION:    \(t.apiVersion)\n\n"
        if let field {
            out += "FIELD: \(field.name) <\(Self.typeName(field.schema))>\(field.required ? " -required-" : "")\n\n"
        }
        out += "DESCRIPTION:\n    <empty>\n"
        if case .object(let fields) = Self.unwrap(schema), !fields.isEmpty {
            out += "\nFIELDS:\n"
            for (name, f) in fields.sorted(by: { $0.key < $1.key }) {
                out += "  \(name)\t<\(Self.typeName(f.schema))>\(f.required ? " -required-" : "")\n"
            }
        }
        Output.print(out)
    }

    /// The kinds the apiserver checks with a schema.
    static func schema(for t: ResourceType) -> Schema? {
        switch t {
        case .pods: return SchemaProbe.schema(for: Pod.self)
        case .nodes: return SchemaProbe.schema(for: Node.self)
        case .namespaces: return SchemaProbe.schema(for: Namespace.self)
        case .leases: return SchemaProbe.schema(for: Lease.self)
        case .events: return SchemaProbe.schema(for: Event.self)
        case .configMaps: return SchemaProbe.schema(for: ConfigMap.self)
        case .secrets: return SchemaProbe.schema(for: Secret.self)
        case .controllerRevisions: return SchemaProbe.schema(for: ControllerRevision.self)
        default: return nil
        }
    }

    /// Fields of a list's element are reached through the list, as in kubectl.
    static func unwrap(_ s: Schema) -> Schema {
        if case .array(let e) = s { return unwrap(e) }
        return s
    }

    /// kubectl's `<type>` text.
    static func typeName(_ s: Schema) -> String {
        switch s {
        case .object: return "Object"
        case .map(let v): return "map[string]\(typeName(v))"
        case .array(let e): return "[]\(typeName(e))"
        case .any: return "Object"
        case .string: return "string"
        case .integer, .int32: return "integer"
        case .number: return "number"
        case .boolean: return "boolean"
        case .quantity: return "Quantity"
        case .intOrString: return "IntOrString"
        }
    }
}
