import ArgumentParser

/// `ctl scale TYPE NAME --replicas N` as kubectl's: ReplicaSets and Deployments through
/// their `scale` subresource (a merge patch of the Scale; with `--current-replicas` or
/// `--resource-version`, a read, the check, and an update at that version, retried on a
/// conflict); Jobs by their `spec.parallelism`, as kubectl's former JobScaler did.
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scale", abstract: "Set a new size for a replica set, deployment or job.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var targets: TargetOptions
    @Option(help: "The new desired number of replicas. Required.") var replicas: Int = -1
    @Option(name: .customLong("current-replicas"), help: "Precondition for current size. -1 (default) for no condition.") var currentReplicas: Int = -1
    @Option(name: .customLong("resource-version"), help: "Precondition for resource version.") var resourceVersion: String = ""
    @OptionGroup var dryRun: DryRunOptions
    @Argument(help: "TYPE NAME... or TYPE/NAME...") var args: [String] = []

    static let conflictRetries = 5

    func run() async throws {
        let dry = try dryRun.strategy()
        if replicas < 0 { throw CtlError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0") }
        if targets.all && targets.selector != nil { throw CtlError("cannot set --all and --selector at the same time") }
        if args.isEmpty && targets.filename.isEmpty { throw CtlError(TargetObjects.missing) }
        let session = try await Session.open(global)
        defer { session.close() }
        let found = try await TargetObjects.resolve(args, targets, session: session, allNamespaces: global.allNamespaces)
        if found.isEmpty { throw CtlError("no objects passed to scale") }
        if !resourceVersion.isEmpty && found.count > 1 { throw CtlError("cannot use --resource-version with multiple resources") }
        for t in found {
            if dry != .client { try await scale(t, session: session, dry: dry) }
            Output.print("\(t.ref) scaled\(dry.suffix)\n")
        }
    }

    var hasPrecondition: Bool { currentReplicas != -1 || !resourceVersion.isEmpty }

    func scale(_ t: Target, session: Session, dry: DryRun) async throws {
        if t.type == .jobs { return try await scaleJob(t, session: session, dry: dry) }
        var req = Request(verb: .patch, resource: t.type.plural, namespace: t.namespace, name: t.name)
        req.subresource = "scale"
        guard hasPrecondition else {
            req.patch = ["spec": ["replicas": .int(replicas)]]
            req.patchType = "merge"
            _ = try await session.call(dry.mark(req))
            return
        }
        var attempt = 1
        while true {
            let conflicted = try await updateScale(req, session: session, dry: dry)
            if !conflicted { return }
            attempt += 1
            if attempt > Self.conflictRetries { throw CtlError("the object has been modified; please apply your changes to the latest version and try again") }
        }
    }

    /// Reads the Scale, checks the preconditions and updates it at the version read; true
    /// when that version was stale (409).
    func updateScale(_ base: Request, session: Session, dry: DryRun) async throws -> Bool {
        var req = base
        req.verb = .get
        var current = try await session.call(req)
        try check(replicas: current["spec"]["replicas"].intValue ?? 0, version: current["metadata"]["resourceVersion"].stringValue ?? "")
        current[path: ["spec", "replicas"]] = .int(replicas)
        req.verb = .update
        req.object = current
        let update = dry.mark(req)
        do throws(Status) {
            _ = try await session.call(update)
            return false
        } catch {
            if error.code == 409 { return true }
            throw error
        }
    }

    /// kubectl's `ScalePrecondition`: the current size and version, when given, must be as expected.
    func check(replicas current: Int, version: String) throws {
        if currentReplicas != -1 && current != currentReplicas {
            throw CtlError("Expected replicas to be \(currentReplicas), was \(current)")
        }
        if !resourceVersion.isEmpty && version != resourceVersion {
            throw CtlError("Expected resource version to be \(resourceVersion), was \(version)")
        }
    }

    func scaleJob(_ t: Target, session: Session, dry: DryRun) async throws {
        var patch: JSON = ["spec": ["parallelism": .int(replicas)]]
        if hasPrecondition {
            let job = try await session.call(Request(verb: .get, resource: t.type.plural, namespace: t.namespace, name: t.name))
            let version = job["metadata"]["resourceVersion"].stringValue ?? ""
            try check(replicas: job["spec"]["parallelism"].intValue ?? 1, version: version)
            patch[path: ["metadata", "resourceVersion"]] = .string(version)
        }
        var req = Request(verb: .patch, resource: t.type.plural, namespace: t.namespace, name: t.name)
        req.patch = patch
        req.patchType = "merge"
        _ = try await session.call(dry.mark(req))
    }
}
