import ArgumentParser
import Foundation

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Display one or many resources.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "TYPE [NAME...] or TYPE/NAME...") var resources: [String] = []
    @Option(name: [.customShort("o"), .long], help: "Output format: wide, json, yaml, name.") var output: String?
    @Option(name: [.customShort("l"), .long], help: "Label selector, e.g. app=web,tier!=db.") var selector: String?
    @Option(name: .customLong("field-selector"), help: "Field selector, e.g. spec.nodeName=node-1.") var fieldSelector: String?
    @Flag(name: [.customShort("w"), .long], help: "After listing, watch for changes.") var watch = false
    @Option(help: "Page size used when listing (0: no paging).") var chunkSize = 500
    @Flag(name: .customLong("no-headers"), help: "Print tables without their header line.") var noHeaders = false

    func run() async throws {
        let format = try OutputFormat(output)
        let selections = try ResourceArgs.parse(resources)
        let session = try await Session.open(global)
        defer { session.close() }
        var failed: Status? = nil
        var printedSomething = false
        for (i, sel) in selections.enumerated() {
            let ns = sel.type.namespaced ? (global.allNamespaces ? nil : session.settings.namespace) : nil
            var objects: [JSON] = []
            var rv = ""
            if sel.names.isEmpty {
                var req = Request(verb: .list, resource: sel.type.plural, namespace: ns)
                req.labelSelector = selector
                req.fieldSelector = fieldSelector
                req.limit = chunkSize > 0 ? chunkSize : nil
                (objects, rv) = try await session.listAll(req)
            } else {
                for name in sel.names {
                    do {
                        objects.append(try await session.call(Request(verb: .get, resource: sel.type.plural, namespace: ns, name: name)))
                    } catch {
                        Output.error(Output.describe(error))
                        failed = error
                    }
                }
            }
            let printer = ObjectPrinter(type: sel.type, format: format, namespaceColumn: global.allNamespaces && sel.type.namespaced,
                                        headers: !noHeaders)
            if objects.isEmpty && (!sel.names.isEmpty || !watch) {
                continue
            }
            if i > 0 && printedSomething && format.isTable { Output.print("\n") }
            printer.printAll(objects, single: !sel.names.isEmpty && objects.count == 1 && selections.count == 1)
            printedSomething = printedSomething || !objects.isEmpty
            if watch {
                try await watchChanges(session, sel, ns: ns, after: rv, printer: printer)
            }
        }
        if !printedSomething && failed == nil && selections.allSatisfy({ $0.names.isEmpty }) {
            let t = selections[0].type
            if t.namespaced && !global.allNamespaces {
                Output.error("No resources found in \(session.settings.namespace) namespace.")
            } else {
                Output.error("No resources found")
            }
        }
        if failed != nil { throw ExitCode(1) }
    }

    /// Prints one line (or object) per change until interrupted or the server ends it.
    func watchChanges(_ session: Session, _ sel: ResourceSelection, ns: String?, after rv: String, printer: ObjectPrinter) async throws {
        var req = Request(verb: .watch, resource: sel.type.plural, namespace: ns)
        req.labelSelector = selector
        req.fieldSelector = fieldSelector
        if sel.names.count == 1 {
            req.fieldSelector = ["metadata.name=\(sel.names[0])", fieldSelector].compactMap { $0 }.joined(separator: ",")
        }
        req.resourceVersion = rv
        for try await event in session.connection.watch(req) {
            if event.type == "BOOKMARK" { continue }
            printer.printEvent(event)
        }
    }
}

enum OutputFormat: Equatable {
    case table, wide, json, yaml, name

    init(_ s: String?) throws {
        switch s {
        case nil, "": self = .table
        case "wide": self = .wide
        case "json": self = .json
        case "yaml": self = .yaml
        case "name": self = .name
        default: throw CtlError("unable to match a printer suitable for the output format \"\(s!)\", allowed formats are: json,name,wide,yaml")
        }
    }

    var isTable: Bool { self == .table || self == .wide }
}

/// Prints objects in the chosen format.
struct ObjectPrinter {
    var type: ResourceType
    var format: OutputFormat
    var namespaceColumn: Bool
    var headers = true

    func printAll(_ objects: [JSON], single: Bool) {
        switch format {
        case .table, .wide:
            guard !objects.isEmpty else { return }
            var t = Table(header: Columns.header(type, wide: format == .wide, namespaceColumn: namespaceColumn))
            t.rows = objects.map { Columns.row(type, $0, wide: format == .wide, namespaceColumn: namespaceColumn) }
            Output.print(t.render(withHeader: headers))
        case .json:
            Output.print((single ? objects[0] : Self.list(objects)).pretty() + "\n")
        case .yaml:
            Output.print(YAMLOutput.render(single ? objects[0] : Self.list(objects)))
        case .name:
            for o in objects { Output.print(name(o) + "\n") }
        }
    }

    func printEvent(_ e: WatchEvent) {
        switch format {
        case .table, .wide:
            let row = Columns.row(type, e.object, wide: format == .wide, namespaceColumn: namespaceColumn)
            let t = Table(header: Columns.header(type, wide: format == .wide, namespaceColumn: namespaceColumn), rows: [row])
            Output.print(t.render(withHeader: false, widths: t.widths()))
        case .json: Output.print(e.object.pretty() + "\n")
        case .yaml: Output.print("---\n" + YAMLOutput.render(e.object))
        case .name: Output.print(name(e.object) + "\n")
        }
    }

    func name(_ o: JSON) -> String { "\(type.nameType)/\(o["metadata"]["name"].stringValue ?? "")" }

    static func list(_ items: [JSON]) -> JSON {
        ["apiVersion": "v1", "items": .array(items), "kind": "List", "metadata": ["resourceVersion": ""]]
    }
}
