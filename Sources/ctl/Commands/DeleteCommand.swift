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
    @Option(help: "\"background\", \"orphan\", or \"foreground\" (bare --cascade: background).") var cascade: String?
    @Option(name: .customLong("grace-period"), help: "Seconds given to the resource to terminate gracefully (-1: its default).") var gracePeriod = -1
    @Flag(help: "Delete at once (with --grace-period=0), without waiting for confirmation.") var force = false
    @Flag(help: "Signal the resource to stop at once (grace period 1).") var now = false
    @Option(help: "Wait until the resources are gone (default true).") var wait = "true"
    @Option(help: "How long to wait for the deletion (0: a week, as kubectl).") var timeout = "0s"
    @Option(name: [.customShort("o"), .long], help: "Output format: name.") var output: String?
    @OptionGroup var dryRun: DryRunOptions

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
        let dry = try dryRun.strategy()
        // kubectl always names a policy: background unless --cascade says otherwise.
        let policy = try Self.policy(cascade ?? "background")
        if let output, output != "name" { throw CtlError("unable to match a printer suitable for the output format \"\(output)\", allowed formats are: name") }
        guard let waits = Self.parseBool(wait) else { throw CtlError("invalid argument \"\(wait)\" for \"--wait\" flag: strconv.ParseBool: parsing \"\(wait)\": invalid syntax") }
        var waitSeconds = try Duration.parse(timeout, flag: "--timeout")
        if waitSeconds == 0 { waitSeconds = 168 * 3600 }
        var grace = gracePeriod
        if now {
            if grace != -1 { throw CtlError("--now and --grace-period cannot be specified together") }
            grace = 1
        }
        // kubectl: --grace-period=0 means 1 unless --force; --force alone means 0.
        if grace == 0 && !force { grace = 1 }
        if force && grace < 0 { grace = 0 }
        if grace == 0 && force {
            Output.error("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.")
        }
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
        var deleted: [(ResourceType, String?, String, String?)] = []
        for (t, tns, name) in targets {
            var req = Request(verb: .delete, resource: t.plural, namespace: tns, name: name)
            req.propagationPolicy = policy
            req.gracePeriodSeconds = grace >= 0 ? grace : nil
            do {
                // A client dry run reads instead: the object must exist, as for kubectl.
                let last = try await session.call(dry == .client ? Request(verb: .get, resource: t.plural, namespace: tns, name: name) : dry.mark(req))
                let operation = (grace == 0 ? "force deleted" : "deleted") + dry.suffix
                Output.print(output == "name" ? "\(t.nameType)/\(name)\n" : "\(t.nameType) \"\(name)\" \(operation)\n")
                deleted.append((t, tns, name, last["metadata"]["uid"].stringValue))
            } catch {
                if error.isNotFound && ignoreNotFound { continue }
                Output.error(Output.describe(error))
                failed = true
            }
        }
        if waits && dry == .none {
            let deadline = Timestamp.nowSeconds() + waitSeconds
            for (t, tns, name, uid) in deleted {
                // A pod being deleted gracefully stays until its kubelet has stopped it.
                if try await !DeleteWaiter.waitUntilGone(t, ns: tns, name: name, uid: uid, until: deadline, session: session) {
                    throw CtlError("timed out waiting for the condition on \(t.plural)/\(name)")
                }
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// kubectl's `--cascade` values; booleans (as Go's strconv.ParseBool reads them) are
    /// deprecated aliases, with its warning.
    static func policy(_ s: String) throws -> String {
        if let b = parseBool(s) {
            Output.error("warning: --cascade=\(s) is deprecated (boolean value) and can be replaced with --cascade=\(b ? "background" : "orphan").")
            return b ? "Background" : "Orphan"
        }
        switch s {
        case "background": return "Background"
        case "foreground": return "Foreground"
        case "orphan": return "Orphan"
        default: throw CtlError("invalid cascade value (\(s)). Must be \"background\", \"foreground\", or \"orphan\"")
        }
    }

    /// Go's strconv.ParseBool, which kubectl's boolean flags use.
    static func parseBool(_ s: String) -> Bool? {
        switch s {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }
}

/// kubectl delete's `--wait`: polls until the object is gone, or replaced by another of the
/// same name (a different uid). An object held by finalizers is waited for, as kubectl does.
enum DeleteWaiter {
    /// False if `deadline` passed first.
    static func waitUntilGone(_ t: ResourceType, ns: String?, name: String, uid: String?, until deadline: Double, session: Session) async throws -> Bool {
        while true {
            guard let o = try await session.getIfPresent(Request(verb: .get, resource: t.plural, namespace: ns, name: name)) else { return true }
            if let uid, o["metadata"]["uid"].stringValue != uid { return true }
            if Timestamp.nowSeconds() >= deadline { return false }
            let left = deadline - Timestamp.nowSeconds()
            try await Task.sleep(for: .milliseconds(left > 0.2 ? 200 : max(1, Int(left * 1000))))
        }
    }
}
