import ArgumentParser

/// `label` and `annotate`: fetch each object, edit its map, send a merge patch of the change.
enum MetadataMapRunner {
    static func run(_ args: [String], field: String, noun: String, verb: String, overwrite: Bool, list: Bool,
                    targets o: TargetOptions, global: GlobalOptions) async throws {
        let (resources, edit) = try MetadataMapEdit.split(args, field: field, noun: noun)
        if list && !edit.isEmpty { throw CtlError("--list and --overwrite are allowed only when no \(noun) changes are given") }
        if !list && edit.isEmpty { throw CtlError("at least one \(noun) update is required") }
        let session = try await Session.open(global)
        defer { session.close() }
        let targets = try await TargetObjects.resolve(resources, o, session: session, allNamespaces: global.allNamespaces)
        var listed: [(Target, JSON)] = []
        for t in targets {
            let obj = try await session.call(Request(verb: .get, resource: t.type.plural, namespace: t.namespace, name: t.name))
            if list {
                listed.append((t, obj))
                continue
            }
            let old = obj["metadata"][field].objectValue ?? JSONObject()
            let new = try edit.apply(to: old, overwrite: overwrite)
            if new == old {
                Output.print("\(t.ref) \(noun == "label" ? "not labeled" : verb)\n")
                continue
            }
            _ = try await session.call(MetadataMapEdit.request(t, patch: edit.patch(from: old, to: new)))
            Output.print("\(t.ref) \(noun == "label" ? labelMessage(old, new, overwrite: overwrite) : verb)\n")
        }
        if list { MetadataMapEdit.list(listed, field: field, noun: noun) }
    }

    /// kubectl says `unlabeled` when, without --overwrite, the labels got shorter.
    static func labelMessage(_ old: JSONObject, _ new: JSONObject, overwrite: Bool) -> String {
        if !overwrite && JSON.object(new).compactString.utf8.count < JSON.object(old).compactString.utf8.count { return "unlabeled" }
        return "labeled"
    }
}

struct LabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "label", abstract: "Update the labels on resources (KEY=VAL, KEY- to remove).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var targets: TargetOptions
    @Flag(help: "Allow changing a label that already has a value.") var overwrite = false
    @Flag(help: "Print the labels of each object.") var list = false
    @Argument(help: "TYPE NAME... or TYPE/NAME..., then KEY=VAL or KEY-") var args: [String] = []

    func run() async throws {
        try await MetadataMapRunner.run(args, field: "labels", noun: "label", verb: "labeled", overwrite: overwrite, list: list,
                                        targets: targets, global: global)
    }
}

struct AnnotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "annotate", abstract: "Update the annotations on resources (KEY=VAL, KEY- to remove).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var targets: TargetOptions
    @Flag(help: "Allow changing an annotation that already has a value.") var overwrite = false
    @Flag(help: "Print the annotations of each object.") var list = false
    @Argument(help: "TYPE NAME... or TYPE/NAME..., then KEY=VAL or KEY-") var args: [String] = []

    func run() async throws {
        try await MetadataMapRunner.run(args, field: "annotations", noun: "annotation", verb: "annotated", overwrite: overwrite,
                                        list: list, targets: targets, global: global)
    }
}
