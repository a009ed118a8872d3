/// Sends what `CreateGenerators` built and prints kubectl's line.
enum CreateByName {
    static func run(_ words: [String], data: CreateDataOptions, global: GlobalOptions, output: String?,
                    dryRun: DryRun = .none) async throws {
        let format = try WriteOutput.format(output)
        let session = try await Session.open(global)
        defer { session.close() }
        let namespace = session.settings.namespace
        var (type, obj): (ResourceType, JSON)
        if words.first == "job", let from = data.from, !from.isEmpty {
            // kubectl's Validate: exactly one of --image and --from, and no command with --from.
            if !(data.image ?? "").isEmpty { throw CtlError("either --image or --from must be specified") }
            if !data.command.isEmpty { throw CtlError("cannot specify --from and command") }
            let name = try CreateGenerators.single(words.dropFirst(), command: "job")
            let cronJob = try await session.call(Request(verb: .get, resource: ResourceType.cronJobs.plural, namespace: namespace,
                                                         name: try CreateGenerators.fromCronJob(from)))
            (type, obj) = (.jobs, CreateGenerators.job(name, from: cronJob, namespace: namespace))
        } else {
            (type, obj) = try CreateGenerators.object(words, data, namespace: namespace)
        }
        var req = Request(verb: .create, resource: type.plural, namespace: type.namespaced ? namespace : nil)
        req.object = obj
        // A client dry run prints what would be sent; a server one is checked and not stored.
        let created = dryRun == .client ? obj : try await session.call(dryRun.mark(req))
        let ref = "\(type.nameType)/\(created["metadata"]["name"].stringValue ?? "")"
        try WriteOutput.print(created, ref: ref, line: ref + " created" + dryRun.suffix, as: format)
    }
}
