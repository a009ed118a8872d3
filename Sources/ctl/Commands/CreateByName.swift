/// Sends what `CreateGenerators` built and prints kubectl's line.
enum CreateByName {
    static func run(_ words: [String], data: CreateDataOptions, global: GlobalOptions, output: String?,
                    dryRun: DryRun = .none) async throws {
        let format = try WriteOutput.format(output)
        let session = try await Session.open(global)
        defer { session.close() }
        let (type, obj) = try CreateGenerators.object(words, data, namespace: session.settings.namespace)
        var req = Request(verb: .create, resource: type.plural, namespace: type.namespaced ? session.settings.namespace : nil)
        req.object = obj
        // A client dry run prints what would be sent; a server one is checked and not stored.
        let created = dryRun == .client ? obj : try await session.call(dryRun.mark(req))
        let ref = "\(type.nameType)/\(created["metadata"]["name"].stringValue ?? "")"
        try WriteOutput.print(created, ref: ref, line: ref + " created" + dryRun.suffix, as: format)
    }
}
