import ArgumentParser

struct PatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "patch", abstract: "Update fields of a resource with a strategic merge, JSON merge or JSON patch.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "TYPE NAME or TYPE/NAME") var resources: [String] = []
    @Option(name: [.customShort("p"), .long], help: "The patch, as JSON or YAML.") var patch: String
    @Option(name: .customLong("type"), help: "The type of patch: json, merge or strategic.") var patchType = "strategic"
    @Option(help: "Patch the status subresource (\"status\").") var subresource: String?
    @Option(name: [.customShort("o"), .long], help: "Output format: name, json, yaml.") var output: String?
    @OptionGroup var dryRun: DryRunOptions

    func run() async throws {
        guard ["json", "merge", "strategic"].contains(patchType) else { throw CtlError("--type must be one of [json merge strategic], not \"\(patchType)\"") }
        let dry = try dryRun.strategy()
        let format = try WriteOutput.format(output)
        let sels = try ResourceArgs.parse(resources)
        guard sels.count == 1, sels[0].names.count == 1 else { throw CtlError("patch needs exactly one resource and name") }
        let t = sels[0].type, name = sels[0].names[0]
        let docs: [JSON]
        do { docs = try YAMLInput.documents(patch) } catch { throw CtlError("unable to parse \"\(patch)\": \(error)") }
        let p = docs.first ?? .null
        switch (patchType, p) {
        case ("json", .array), ("merge", .object), ("strategic", .object): break
        case ("json", _): throw CtlError("unable to parse \"\(patch)\": a json patch must be a list of operations")
        default: throw CtlError("unable to parse \"\(patch)\": the patch must be an object")
        }
        let session = try await Session.open(global)
        defer { session.close() }
        let ns = t.namespaced ? session.settings.namespace : nil
        let before = try await session.call(Request(verb: .get, resource: t.plural, namespace: ns, name: name))
        let after: JSON
        if dry == .client {
            // As kubectl: the patch applied here to the live object, nothing sent.
            switch patchType {
            case "json": after = try before.applyingJSONPatch(p)
            case "strategic": after = try before.applyingStrategicMergePatch(p)
            default: after = before.applyingMergePatch(p)
            }
        } else {
            var req = Request(verb: .patch, resource: t.plural, namespace: ns, name: name)
            req.patch = p
            req.patchType = patchType
            req.subresource = subresource
            after = try await session.call(dry.mark(req))
        }
        let ref = "\(t.nameType)/\(name)"
        try WriteOutput.print(after, ref: ref, line: "\(ref) patched\(before == after ? " (no change)" : "")\(dry.suffix)", as: format)
    }
}

/// `cordon` / `uncordon`: set or clear `spec.unschedulable` on nodes.
enum NodeScheduling {
    static func set(_ given: [String], selector: String?, unschedulable: Bool, global: GlobalOptions) async throws {
        if selector != nil && !given.isEmpty { throw CtlError("cannot specify both a node name and a --selector option") }
        guard !given.isEmpty || selector != nil else { throw CtlError("at least one node name is required") }
        let session = try await Session.open(global)
        defer { session.close() }
        var names = given
        if let selector {
            var req = Request(verb: .list, resource: "nodes")
            req.labelSelector = selector
            req.limit = Session.defaultPageSize
            names = try await session.listAll(req).items.compactMap { $0["metadata"]["name"].stringValue }
        }
        for n in names {
            let name = n.hasPrefix("node/") ? String(n.dropFirst(5)) : n
            let node = try await session.call(Request(verb: .get, resource: "nodes", name: name))
            if (node["spec"]["unschedulable"].boolValue ?? false) == unschedulable {
                Output.print("node/\(name) already \(unschedulable ? "cordoned" : "uncordoned")\n")
                continue
            }
            var req = Request(verb: .patch, resource: "nodes", name: name)
            req.patch = ["spec": ["unschedulable": unschedulable ? .bool(true) : .null]]
            req.patchType = "merge"
            _ = try await session.call(req)
            Output.print("node/\(name) \(unschedulable ? "cordoned" : "uncordoned")\n")
        }
    }
}

struct CordonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cordon", abstract: "Mark nodes unschedulable.")
    @OptionGroup var global: GlobalOptions
    @Argument var nodes: [String] = []
    @Option(name: [.customShort("l"), .long], help: "Nodes matching this label selector.") var selector: String?
    func run() async throws { try await NodeScheduling.set(nodes, selector: selector, unschedulable: true, global: global) }
}

struct UncordonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "uncordon", abstract: "Mark nodes schedulable.")
    @OptionGroup var global: GlobalOptions
    @Argument var nodes: [String] = []
    @Option(name: [.customShort("l"), .long], help: "Nodes matching this label selector.") var selector: String?
    func run() async throws { try await NodeScheduling.set(nodes, selector: selector, unschedulable: false, global: global) }
}
