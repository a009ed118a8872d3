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
    let extra: ExtraColumns
    /// `pod/web` instead of `web` in the NAME column, when several kinds print together.
    var kindPrefix = false
    private var printed = 0

    init(type: ResourceType, format: OutputFormat, namespaceColumn: Bool, headers: Bool = true, extra: ExtraColumns = ExtraColumns()) {
        self.type = type
        self.format = format
        self.namespaceColumn = namespaceColumn
        self.headers = headers
        self.extra = extra
    }

    private var header: [String] {
        if case .customColumns(let cols) = format { return cols.map(\.header) }
        return Columns.header(type, wide: format == .wide, namespaceColumn: namespaceColumn) + extra.header
    }

    private func row(_ o: JSON) -> [String] {
        if case .customColumns(let cols) = format { return cols.map { $0.cell(o) } }
        var r = Columns.row(type, o, wide: format == .wide, namespaceColumn: namespaceColumn)
        if kindPrefix, type.plural != "events" { r[namespaceColumn ? 1 : 0] = name(o) }
        return r + extra.cells(o)
    }

    private func table(_ rows: [[String]]) -> Table {
        var t = Table(header: header, rows: rows)
        t.trimTrailingSpace = extra.labelKeys.isEmpty
        return t
    }

    func printAll(_ objects: [JSON], single: Bool) throws {
        switch format {
        case .table, .wide:
            guard !objects.isEmpty else { return }
            Output.print(table(objects.map(row)).render(withHeader: headers, measureHeader: headers))
        case .customColumns:
            // As kubectl: the header even when nothing matched.
            Output.print(table(objects.map(row)).render(withHeader: headers, measureHeader: headers))
        case .json:
            Output.print((single ? objects[0] : Self.list(objects)).pretty() + "\n")
        case .yaml:
            Output.print(YAMLOutput.render(single ? objects[0] : Self.list(objects)))
        case .name:
            for o in objects { Output.print(name(o) + "\n") }
        case .jsonpath(let t):
            Output.print(try Self.jsonpath(t, single ? objects[0] : Self.list(objects)))
        }
        printed += objects.count
    }

    func printOne(_ object: JSON) throws {
        switch format {
        case .table, .wide, .customColumns:
            Output.print(table([row(object)]).render(withHeader: headers && printed == 0))
        case .json: Output.print(object.pretty() + "\n")
        case .yaml: Output.print((printed > 0 ? "---\n" : "") + YAMLOutput.render(object))
        case .name: Output.print(name(object) + "\n")
        case .jsonpath(let t): Output.print(try Self.jsonpath(t, object))
        }
        printed += 1
    }

    /// kubectl's words for a failed template; it dumps the object in Go syntax, ctl as JSON.
    static func jsonpath(_ t: JSONPathTemplate, _ data: JSON) throws -> String {
        do { return try t.execute(data) } catch {
            throw CtlError("""
                error executing jsonpath \"\(t.source)\": Error executing template: \(error.message). \
                Printing more information for debugging the template:
                \ttemplate was:
                \t\t\(t.source)
                \tobject given to jsonpath engine was:
                \t\t\(data.compactString)
                """)
        }
    }

    /// `TYPE/NAME`, the type from the object's own kind (a merged list holds several).
    func name(_ o: JSON) -> String {
        let t = ResourceType.forKind(o["kind"].stringValue ?? "", apiVersion: o["apiVersion"].stringValue ?? "") ?? type
        return "\(t.nameType)/\(o["metadata"]["name"].stringValue ?? "")"
    }

    static func list(_ items: [JSON]) -> JSON {
        ["apiVersion": "v1", "items": .array(items), "kind": "List", "metadata": ["resourceVersion": ""]]
    }
}

/// `-L key` columns and `--show-labels`' LABELS column, after the kind's own columns.
struct ExtraColumns {
    var labelKeys: [String] = []
    var showLabels = false

    /// kubectl heads a `-L` column with the key's last `/` segment, upper-cased.
    var header: [String] {
        labelKeys.map { ($0.split(separator: "/").last.map(String.init) ?? $0).uppercased() } + (showLabels ? ["LABELS"] : [])
    }

    func cells(_ o: JSON) -> [String] {
        let labels = o["metadata"]["labels"].objectValue ?? JSONObject()
        var out = labelKeys.map { labels[$0]?.stringValue ?? "" }
        if showLabels {
            let pairs = labels.entries.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.stringValue ?? "")" }
            out.append(pairs.isEmpty ? "<none>" : pairs.joined(separator: ","))
        }
        return out
    }
}
