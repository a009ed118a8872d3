import ArgumentParser

/// `label` and `annotate`: fetch each object, edit its map, send a merge patch of the change.
enum MetadataMapRunner {
    static func run(_ args: [String], _ map: MetadataMapEdit.Map, overwrite: Bool, list: Bool,
                    targets o: TargetOptions, global: GlobalOptions, dryRun: DryRunOptions) async throws {
        let dry = try dryRun.strategy()
        let (resources, edit) = try MetadataMapEdit.split(args, map)
        if o.all && o.selector != nil { throw CtlError("cannot set --all and --selector at the same time") }
        if resources.isEmpty && o.filename.isEmpty { throw CtlError(TargetObjects.missing) }
        if !list && edit.isEmpty { throw CtlError("at least one \(map.noun) update is required") }
        let session = try await Session.open(global)
        defer { session.close() }
        let targets = try await TargetObjects.resolve(resources, o, session: session, allNamespaces: global.allNamespaces)
        // kubectl's "single item implied": named one by one, exactly one.
        let single = targets.count == 1 && o.selector == nil && !o.all
        for t in targets {
            let obj = try await session.call(Request(verb: .get, resource: t.type.plural, namespace: t.namespace, name: t.name))
            let old = obj["metadata"][map.field].objectValue ?? JSONObject()
            let new = try edit.apply(to: old, overwrite: overwrite)
            if list {
                edit.list(t, new, single: single)
                continue
            }
            if map == .labels {
                for k in edit.removals where old[k] == nil { Output.print("label \"\(k)\" not found.\n") }
            }
            // A client dry run sends nothing; a server one is checked and not stored.
            if new != old && dry != .client {
                _ = try await session.call(dry.mark(MetadataMapEdit.request(t, patch: edit.patch(from: old, to: new))))
            }
            Output.print("\(t.ref) \(edit.outcome(old, new))\(dry.suffix)\n")
        }
    }
}

struct LabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "label", abstract: "Update the labels on resources (KEY=VAL, KEY- to remove).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var targets: TargetOptions
    @Flag(help: "Allow changing a label that already has a value.") var overwrite = false
    @Flag(help: "Print the labels of each object.") var list = false
    @OptionGroup var dryRun: DryRunOptions
    @Argument(help: "TYPE NAME... or TYPE/NAME..., then KEY=VAL or KEY-") var args: [String] = []

    func run() async throws {
        try await MetadataMapRunner.run(args, .labels, overwrite: overwrite, list: list, targets: targets, global: global, dryRun: dryRun)
    }
}

struct AnnotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "annotate", abstract: "Update the annotations on resources (KEY=VAL, KEY- to remove).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var targets: TargetOptions
    @Flag(help: "Allow changing an annotation that already has a value.") var overwrite = false
    @Flag(help: "Print the annotations of each object.") var list = false
    @OptionGroup var dryRun: DryRunOptions
    @Argument(help: "TYPE NAME... or TYPE/NAME..., then KEY=VAL or KEY-") var args: [String] = []

    func run() async throws {
        try await MetadataMapRunner.run(args, .annotations, overwrite: overwrite, list: list, targets: targets, global: global, dryRun: dryRun)
    }
}
