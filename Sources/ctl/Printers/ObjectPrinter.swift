/// Prints objects in the chosen format, as kubectl's printers do: a whole listing at once
/// (`printAll`), or one object at a time for `get -w` (`printOne`), where the table header
/// comes with the first row and YAML documents are separated by `---`.
///
/// A class: it remembers what it printed so far.
final class ObjectPrinter {
    let type: ResourceType
    let format: OutputFormat
    let namespaceColumn: Bool
    let headers: Bool
    private var printed = 0

    init(type: ResourceType, format: OutputFormat, namespaceColumn: Bool, headers: Bool = true) {
        self.type = type
        self.format = format
        self.namespaceColumn = namespaceColumn
        self.headers = headers
    }

    private var header: [String] { Columns.header(type, wide: format == .wide, namespaceColumn: namespaceColumn) }

    func printAll(_ objects: [JSON], single: Bool) {
        switch format {
        case .table, .wide:
            guard !objects.isEmpty else { return }
            var t = Table(header: header)
            t.rows = objects.map { Columns.row(type, $0, wide: format == .wide, namespaceColumn: namespaceColumn) }
            Output.print(t.render(withHeader: headers))
        case .json:
            Output.print((single ? objects[0] : Self.list(objects)).pretty() + "\n")
        case .yaml:
            Output.print(YAMLOutput.render(single ? objects[0] : Self.list(objects)))
        case .name:
            for o in objects { Output.print(name(o) + "\n") }
        }
        printed += objects.count
    }

    func printOne(_ object: JSON) {
        switch format {
        case .table, .wide:
            let row = Columns.row(type, object, wide: format == .wide, namespaceColumn: namespaceColumn)
            let t = Table(header: header, rows: [row])
            Output.print(t.render(withHeader: headers && printed == 0))
        case .json: Output.print(object.pretty() + "\n")
        case .yaml: Output.print((printed > 0 ? "---\n" : "") + YAMLOutput.render(object))
        case .name: Output.print(name(object) + "\n")
        }
        printed += 1
    }

    func name(_ o: JSON) -> String { "\(type.nameType)/\(o["metadata"]["name"].stringValue ?? "")" }

    static func list(_ items: [JSON]) -> JSON {
        ["apiVersion": "v1", "items": .array(items), "kind": "List", "metadata": ["resourceVersion": ""]]
    }
}
