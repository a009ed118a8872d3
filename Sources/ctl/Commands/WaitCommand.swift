import ArgumentParser

/// `wait --for=condition=X[=V]|delete|jsonpath='{.path}'[=V] --timeout=30s TARGETS`:
/// reads each object, then watches it until the condition holds or the time is up.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait", abstract: "Wait for a condition on one or many resources.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var targets: TargetOptions
    @Option(name: .customLong("for"), help: "delete, condition=NAME[=VALUE] or jsonpath='{.path}'[=VALUE].") var condition: String?
    @Option(help: "How long to wait in all (0: check once).") var timeout = "30s"
    @Argument(help: "TYPE NAME..., TYPE/NAME..., or TYPE with -l/--all") var resources: [String] = []

    func run() async throws {
        guard let condition else { throw CtlError("--for must be set to one of: delete, condition=NAME[=VALUE], jsonpath='{.path}'[=VALUE]") }
        let cond = try WaitCondition(condition)
        guard let seconds = Duration.seconds(timeout) else { throw CtlError("invalid argument \"\(timeout)\" for \"--timeout\" flag") }
        let deadline = Monotonic.seconds() + seconds
        let session = try await Session.open(global)
        defer { session.close() }
        let list = try await TargetObjects.resolve(resources, targets, session: session, allNamespaces: global.allNamespaces)
        if list.isEmpty { throw CtlError("no matching resources found") }
        for t in list {
            let getReq = Request(verb: .get, resource: t.type.plural, namespace: t.namespace, name: t.name)
            let current: JSON?
            if case .delete = cond { current = try await session.getIfPresent(getReq) } else { current = try await session.call(getReq) }
            if try await Self.wait(for: cond, t, from: current, until: deadline, session: session) {
                Output.print("\(t.ref) condition met\n")
            } else {
                throw CtlError("timed out waiting for the condition on \(t.type.plural)/\(t.name)")
            }
        }
    }

    /// True when the condition held before `deadline`.
    static func wait(for cond: WaitCondition, _ t: Target, from current: JSON?, until deadline: Double, session: Session) async throws -> Bool {
        if cond.isMet(current) { return true }
        guard let current else { return false }
        var req = Request(verb: .watch, resource: t.type.plural, namespace: t.namespace)
        req.fieldSelector = "metadata.name=\(t.name)"
        req.resourceVersion = current["metadata"]["resourceVersion"].stringValue
        let stream = session.connection.watch(req)
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for try await e in stream {
                    if e.type == "BOOKMARK" { continue }
                    if cond.isMet(e.type == "DELETED" ? nil : e.object) { return true }
                }
                throw CtlError("the watch of \(t.ref) ended before the condition was met")
            }
            group.addTask {
                // A day at a time: a --timeout of centuries must not overflow the nanoseconds.
                while case let left = deadline - Monotonic.seconds(), left > 0 {
                    try await Task.sleep(nanoseconds: UInt64(min(left, 86_400) * 1e9))
                }
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
