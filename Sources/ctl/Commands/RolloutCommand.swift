import ArgumentParser
import Foundation

/// `rollout status|history|undo|restart|pause|resume TYPE NAME` (kubectl's rollout verbs).
/// One command with the action as its first argument, so global flags written before the
/// verb move after it as for every other verb.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollout", abstract: "Manage the rollout of a Deployment or DaemonSet (status, history, undo, restart, pause, resume).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "status|history|undo|restart|pause|resume, then TYPE NAME or TYPE/NAME") var args: [String] = []
    @Option(help: "history: the revision to show; status: the revision to wait for (0: the latest).") var revision = 0
    @Option(name: .customLong("to-revision"), help: "undo: the revision to go back to (0: the one before the current).") var toRevision = 0
    @Option(name: [.customShort("w"), .long], help: "status: wait for the rollout to finish (true) or print the status once (false).") var watch = "true"
    @Option(help: "status: how long to wait (0: for ever).") var timeout = "0s"

    static let actions = ["history", "pause", "restart", "resume", "status", "undo"]

    func run() async throws {
        guard let action = args.first else { throw CtlError("you must specify one of: \(Self.actions.joined(separator: ", "))") }
        guard Self.actions.contains(action) else { throw CtlError("unknown command \"\(action)\" for \"ctl rollout\"") }
        guard ["true", "false"].contains(watch) else { throw CtlError("invalid argument \"\(watch)\" for \"--watch\" flag: strconv.ParseBool: parsing \"\(watch)\": invalid syntax") }
        guard let seconds = Duration.seconds(timeout) else { throw CtlError("invalid argument \"\(timeout)\" for \"--timeout\" flag") }
        let rest = Array(args.dropFirst())
        guard !rest.isEmpty else { throw CtlError("required resource not specified") }
        let sels = try ResourceArgs.parse(rest)
        let session = try await Session.open(global)
        defer { session.close() }
        let ns = session.settings.namespace
        var failures: [String] = []
        for sel in sels {
            guard !sel.names.isEmpty else { throw CtlError("required resource not specified") }
            for name in sel.names {
                let target = Rollout(session: session, type: sel.type, namespace: ns, name: name)
                do {
                    switch action {
                    case "status": try await target.status(watch: watch == "true", timeout: seconds, revision: revision)
                    case "history": try await target.history(revision: revision)
                    case "undo": try await target.undo(toRevision: toRevision)
                    case "restart": try await target.restart()
                    default: try await target.setPaused(action == "pause")
                    }
                } catch let e as RolloutRefusal {
                    failures.append(e.message)
                }
            }
        }
        if !failures.isEmpty { throw CtlError(failures.joined(separator: "\n")) }
    }
}

/// A refusal for one object (`deployments.apps "web" is already paused`): reported after the
/// others are done, as kubectl aggregates them.
struct RolloutRefusal: Error { let message: String }

/// One object's rollout verbs.
struct Rollout {
    let session: Session
    let type: ResourceType
    let namespace: String
    let name: String

    var ref: String { "\(type.nameType)/\(name)" }
    var quoted: String { "\(type.qualifiedPlural) \"\(name)\"" }

    func get() async throws -> JSON {
        try await session.call(Request(verb: .get, resource: type.plural, namespace: namespace, name: name))
    }

    func strategicPatch(_ patch: JSON) async throws -> JSON {
        var req = Request(verb: .patch, resource: type.plural, namespace: namespace, name: name)
        req.patch = patch
        req.patchType = "strategic"
        return try await session.call(req)
    }

    /// kubectl's ObjectPauser / ObjectResumer: Deployments only.
    func setPaused(_ paused: Bool) async throws {
        guard type == .deployments else { throw CtlError(paused ? "pausing is not supported" : "resuming is not supported") }
        let d = try await get()
        if (d["spec"]["paused"].boolValue ?? false) == paused {
            throw RolloutRefusal(message: "\(quoted) \(paused ? "is already paused" : "is not paused")")
        }
        _ = try await strategicPatch(["spec": ["paused": paused ? .bool(true) : .null]])
        Output.print("\(ref) \(paused ? "paused" : "resumed")\n")
    }

    /// kubectl's ObjectRestarter: the template's `kubectl.kubernetes.io/restartedAt`.
    func restart() async throws {
        guard [.deployments, .daemonSets, .statefulSets].contains(type) else { throw CtlError("restarting is not supported") }
        let o = try await get()
        if type == .deployments && o["spec"]["paused"].boolValue == true {
            throw RolloutRefusal(message: "\(quoted) can't restart paused deployment (run rollout resume first)")
        }
        let now = Timestamp.format(Timestamp.nowSeconds())
        _ = try await strategicPatch(["spec": ["template": ["metadata": ["annotations": ["kubectl.kubernetes.io/restartedAt": .string(now)]]]]])
        Output.print("\(ref) restarted\n")
    }
}
