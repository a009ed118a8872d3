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
    @Option(help: "Objects per list request; pages are followed to the end (0: one request).") var chunkSize = Session.defaultPageSize
    @Flag(name: .customLong("no-headers"), help: "Print tables without their header line.") var noHeaders = false
    @Flag(name: .customLong("show-labels"), help: "Add a LABELS column.") var showLabels = false
    @Option(name: [.customShort("L"), .customLong("label-columns")], help: "Add a column per label key (repeatable or comma-separated).") var labelColumns: [String] = []
    @Option(name: .customLong("sort-by"), help: "Sort by this JSONPath, e.g. .metadata.name or {.status.phase}.") var sortBy: String?
    @Option(help: "Request this URL path and print the answer, e.g. /api/v1/nodes/NAME/proxy/stats/summary.") var raw: String?

    func run() async throws {
        if let raw {
            guard resources.isEmpty else { throw CtlError("arguments may not be passed when --raw is specified") }
            guard output == nil, !watch else { throw CtlError("--raw may not be combined with --output or --watch") }
            let session = try await Session.open(global)
            defer { session.close() }
            try await RawRequest.run(raw, session: session)
            return
        }
        let format = try OutputFormat(output)
        let sorter = try sortBy.map(ObjectSorter.init)
        let extra = ExtraColumns(labelKeys: labelColumns.flatMap { $0.split(separator: ",").map(String.init) }, showLabels: showLabels)
        var selections = AllCategory.named(resources) ? [] : try ResourceArgs.parse(resources)
        let session = try await Session.open(global)
        defer { session.close() }
        if AllCategory.named(resources) { selections = try await AllCategory.expand(resources, session: session) }
        if watch && Set(selections.map(\.type.plural)).count > 1 {
            // As kubectl: one watch stream per command.
            guard selections.allSatisfy({ !$0.names.isEmpty }) else { throw CtlError("you may only specify a single resource type") }
            let found = selections.reduce(0) { $0 + $1.names.count }
            throw CtlError("watch is only supported on individual resources and resource collections, but \(found) resources were found")
        }
        var failed: Status? = nil
        var fetched: [(objects: [JSON], rv: String)] = []
        for sel in selections {
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
            if let sorter { objects = try sorter.sort(objects) }
            fetched.append((objects, rv))
        }
        if !format.isTable && !watch {
            // As kubectl's generic printing: every kind's objects as one List (an empty one
            // when nothing matched), or the object itself when one name was asked for.
            var all = fetched.flatMap(\.objects)
            if let sorter, selections.count > 1 { all = try sorter.sort(all) }
            let single = selections.count == 1 && selections[0].names.count == 1
            let type = selections.first?.type ?? .pods
            if !(all.isEmpty && failed != nil) {
                try ObjectPrinter(type: type, format: format, namespaceColumn: false, headers: !noHeaders)
                    .printAll(all, single: single && all.count == 1)
            }
            if failed != nil { throw ExitCode(1) }
            return
        }
        var printedSomething = false
        // kubectl names objects TYPE/NAME when several types were asked for (`all`, `a,b`)
        // or came back.
        let kindPrefix = selections.count > 1 || AllCategory.named(resources) || fetched.filter { !$0.objects.isEmpty }.count > 1
        for (i, (objects, rv)) in fetched.enumerated() {
            let sel = selections[i]
            let ns = sel.type.namespaced ? (global.allNamespaces ? nil : session.settings.namespace) : nil
            let printer = ObjectPrinter(type: sel.type, format: format, namespaceColumn: global.allNamespaces && sel.type.namespaced,
                                        headers: !noHeaders, extra: extra)
            printer.kindPrefix = kindPrefix
            if objects.isEmpty && (!sel.names.isEmpty || !watch) {
                continue
            }
            if i > 0 && printedSomething && format.isTable { Output.print("\n") }
            if watch && !format.isTable {
                // As kubectl: the current objects one by one (not as a List), then each change.
                for o in objects { try printer.printOne(o) }
            } else {
                try printer.printAll(objects, single: !sel.names.isEmpty && objects.count == 1 && selections.count == 1)
            }
            printedSomething = printedSomething || !objects.isEmpty
            if watch {
                try await watchChanges(session, sel, ns: ns, after: rv, printer: printer)
            }
        }
        if !printedSomething && failed == nil && selections.allSatisfy({ $0.names.isEmpty }) {
            if selections.first?.type.namespaced ?? true && !global.allNamespaces {
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
            try printer.printOne(event.object)
        }
    }
}

