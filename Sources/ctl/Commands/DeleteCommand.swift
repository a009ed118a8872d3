import ArgumentParser

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete resources by name, file or label selector.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "TYPE NAME... or TYPE/NAME...") var resources: [String] = []
    @Option(name: [.customShort("f"), .long], help: "Delete what these files describe.") var filename: [String] = []
    @Flag(name: [.customShort("R"), .long], help: "Read directories given with -f recursively.") var recursive = false
    @Option(name: [.customShort("l"), .long], help: "Delete everything matching this label selector.") var selector: String?
    @Flag(name: .customLong("ignore-not-found"), help: "Treat \"not found\" as success.") var ignoreNotFound = false
    @Flag(help: "Delete every object of the type.") var all = false
    @Option(help: "Background, Foreground or Orphan.") var cascade: String?

    /// kubectl's words (its resource builder's) when neither names nor files are given.
    static let missingResources = """
        You must provide one or more resources by argument or filename.
        Example resource specifications include:
           '-f rsrc.yaml'
           '--filename=rsrc.json'
           '<resource> <name>'
           '<resource>'
        """

    func run() async throws {
        if resources.isEmpty && filename.isEmpty { throw CtlError(Self.missingResources) }
        var targets: [(ResourceType, String?, String)] = []
        let session = try await Session.open(global)
        defer { session.close() }
        let ns = session.settings.namespace
        if !filename.isEmpty {
            for m in try ManifestReader.read(filename, recursive: recursive) {
                let t = try m.resourceType()
                targets.append((t, t.namespaced ? (m.object["metadata"]["namespace"].stringValue ?? ns) : nil, m.object["metadata"]["name"].stringValue ?? ""))
            }
        } else {
            let sels = try ResourceArgs.parse(resources)
            for sel in sels {
                let sns = sel.type.namespaced ? (global.allNamespaces ? nil : ns) : nil
                if sel.names.isEmpty {
                    guard selector != nil || all else { throw CtlError("resource(s) were provided, but no name was specified") }
                    var req = Request(verb: .list, resource: sel.type.plural, namespace: sns)
                    req.labelSelector = selector
                    req.limit = Session.defaultPageSize
                    for o in try await session.listAll(req).items {
                        targets.append((sel.type, o["metadata"]["namespace"].stringValue, o["metadata"]["name"].stringValue ?? ""))
                    }
                } else {
                    for n in sel.names { targets.append((sel.type, sns ?? (sel.type.namespaced ? ns : nil), n)) }
                }
            }
            if targets.isEmpty, selector != nil || all {
                Output.error("No resources found")
                return
            }
        }
        var failed = false
        for (t, tns, name) in targets {
            var req = Request(verb: .delete, resource: t.plural, namespace: tns, name: name)
            req.propagationPolicy = cascade.map(Self.policy)
            do {
                _ = try await session.call(req)
                Output.print("\(t.nameType) \"\(name)\" deleted\n")
            } catch {
                if error.isNotFound && ignoreNotFound { continue }
                Output.error(Output.describe(error))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    static func policy(_ s: String) -> String {
        switch s.lowercased() {
        case "foreground": return "Foreground"
        case "orphan": return "Orphan"
        default: return "Background"
        }
    }
}
