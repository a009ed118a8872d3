import ArgumentParser

/// How label, annotate and wait name their objects: `TYPE NAME...`, `TYPE/NAME...`,
/// `TYPE -l SELECTOR`, `TYPE --all`, or `-f FILE`.
struct TargetOptions: ParsableArguments {
    @Option(name: [.customShort("l"), .long], help: "Label selector, e.g. app=web.") var selector: String?
    @Flag(help: "Every object of the type in the namespace.") var all = false
    @Option(name: [.customShort("f"), .long], help: "File naming the objects (repeatable).") var filename: [String] = []
}

/// One object a command acts on.
struct Target {
    var type: ResourceType
    var namespace: String?
    var name: String

    var ref: String { "\(type.nameType)/\(name)" }
}

enum TargetObjects {
    static let missing = "one or more resources must be specified as <resource> <name> or <resource>/<name>"

    /// Resolves the targets; selectors and `--all` list the server's objects.
    static func resolve(_ args: [String], _ o: TargetOptions, session: Session, allNamespaces: Bool = false) async throws -> [Target] {
        let ns = session.settings.namespace
        if !o.filename.isEmpty {
            guard args.isEmpty else { throw CtlError("resources may not be given both as arguments and with -f") }
            return try ManifestReader.read(o.filename).map { m in
                let t = try m.resourceType()
                let given = m.object["metadata"]["namespace"].stringValue ?? ""
                return Target(type: t, namespace: t.namespaced ? (given.isEmpty ? ns : given) : nil,
                              name: m.object["metadata"]["name"].stringValue ?? "")
            }
        }
        guard !args.isEmpty else { throw CtlError(missing) }
        let sels = try ResourceArgs.parse(args)
        if o.selector != nil || o.all {
            guard sels.allSatisfy({ $0.names.isEmpty }) else {
                throw CtlError(o.all ? "cannot set --all and names at the same time" : "name cannot be provided when a selector is specified")
            }
            var out: [Target] = []
            for s in sels {
                let listNS = s.type.namespaced && !allNamespaces ? ns : nil
                var req = Request(verb: .list, resource: s.type.plural, namespace: listNS)
                req.labelSelector = o.selector
                req.limit = Session.defaultPageSize
                for obj in try await session.listAll(req).items {
                    out.append(Target(type: s.type, namespace: s.type.namespaced ? obj["metadata"]["namespace"].stringValue : nil,
                                      name: obj["metadata"]["name"].stringValue ?? ""))
                }
            }
            return out
        }
        guard sels.allSatisfy({ !$0.names.isEmpty }) else { throw CtlError(missing) }
        return sels.flatMap { s in s.names.map { Target(type: s.type, namespace: s.type.namespaced ? ns : nil, name: $0) } }
    }
}
