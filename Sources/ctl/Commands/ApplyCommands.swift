import ArgumentParser
import Foundation

/// Options shared by apply, create and replace.
struct FileOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .long], help: "File, directory or - for stdin (repeatable).") var filename: [String] = []
    @Flag(name: [.customShort("R"), .long], help: "Read directories recursively.") var recursive = false
    @Option(name: [.customShort("o"), .long], help: "Output format: name, json, yaml.") var output: String?
}

enum ManifestAction {
    case apply, create, replace

    var verb: String {
        switch self {
        case .apply: return "applying patch"
        case .create: return "creating"
        case .replace: return "replacing"
        }
    }
}

/// A failed write: the server's answer and what was being done (an apply of an object
/// not there yet is a create, and fails as one).
struct ManifestFailure: Error {
    var status: Status
    var action: ManifestAction
}

/// Runs one of the file-driven verbs over every object in `-f`.
enum ManifestRunner {
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    static func run(_ action: ManifestAction, files: FileOptions, global: GlobalOptions, dryRun: DryRunOptions,
                    force: Bool = false) async throws {
        let dry = try dryRun.strategy()
        // kubectl says "one of -f and -k"; Skiff has no kustomize, so only -f.
        guard !files.filename.isEmpty else { throw CtlError("must specify -f") }
        let format = try WriteOutput.format(files.output)
        let manifests = try ManifestReader.read(files.filename, recursive: files.recursive)
        if manifests.isEmpty { throw CtlError("no objects passed to \(action == .apply ? "apply" : action == .create ? "create" : "replace")") }
        let session = try await Session.open(global)
        defer { session.close() }
        var failures = 0
        for m in manifests {
            do {
                let (type, result, verb) = try await one(action, m, session: session, global: global, dryRun: dry, force: force)
                let ref = "\(type.nameType)/\(result["metadata"]["name"].stringValue ?? "")"
                try WriteOutput.print(result, ref: ref, line: "\(ref) \(verb)\(dry.suffix)", as: format)
            } catch let s as Status {
                failures += 1
                Output.error(describe(s, action: action, m, namespace: session.settings.namespace))
            } catch let f as ManifestFailure {
                failures += 1
                Output.error(describe(f.status, action: f.action, m, namespace: session.settings.namespace))
            } catch let e as CtlError {
                failures += 1
                Output.error("error: \(e.message)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// kubectl's `error when creating "FILE": MESSAGE` (and replacing); a failed patch also
    /// names the object, standing in for the patch kubectl prints.
    static func describe(_ s: Status, action: ManifestAction, _ m: Manifest, namespace: String) -> String {
        guard action == .apply else { return Output.describe(s, when: "\(action.verb) \"\(m.source)\"") }
        let name = m.object["metadata"]["name"].stringValue ?? ""
        let ns = m.object["metadata"]["namespace"].stringValue ?? namespace
        let kind = (m.object["kind"].stringValue ?? "")
        let what = "\"\(m.source)\": \(kind.isEmpty ? "" : kind + " ")\"\(name)\"" + (ns.isEmpty ? "" : " in namespace \"\(ns)\"")
        return Output.describe(s, when: "\(action.verb) \(what)")
    }

    /// Applies one object; returns its type, the server's copy, and what happened.
    /// With `dryRun` `.client` nothing is written (reads still go to the server, as
    /// kubectl's); with `.server` every write is sent as a dry run.
    static func one(_ action: ManifestAction, _ m: Manifest, session: Session, global: GlobalOptions,
                    dryRun: DryRun = .none, force: Bool = false) async throws -> (ResourceType, JSON, String) {
        var obj = m.object
        let type = try m.resourceType()
        var ns: String? = nil
        if type.namespaced {
            let given = obj["metadata"]["namespace"].stringValue ?? ""
            if let flag = global.namespace, !given.isEmpty, given != flag {
                throw CtlError("the namespace from the provided object \"\(given)\" does not match the namespace \"\(flag)\". You must pass '--namespace=\(given)' to perform this operation.")
            }
            ns = given.isEmpty ? session.settings.namespace : given
        }
        let name = obj["metadata"]["name"].stringValue ?? ""
        switch action {
        case .create:
            if dryRun == .client { return (type, obj, "created") }
            var req = Request(verb: .create, resource: type.plural, namespace: ns)
            req.object = obj
            return (type, try await session.call(dryRun.mark(req)), "created")
        case .replace:
            if dryRun == .client { return (type, obj, "replaced") }
            if force { return (type, try await forceReplace(type, obj, ns: ns, name: name, session: session, dryRun: dryRun), "replaced") }
            var req = Request(verb: .update, resource: type.plural, namespace: ns, name: name)
            req.object = obj
            return (type, try await session.call(dryRun.mark(req)), "replaced")
        case .apply:
            if name.isEmpty { throw CtlError("error from \"\(m.source)\": resource name may not be empty") }
            // The annotation records what this apply said, for the next apply's diff.
            var recorded = obj
            recorded[path: ["metadata", "annotations", lastApplied]] = .null
            if recorded["metadata"]["annotations"].objectValue?.isEmpty == true { recorded[path: ["metadata", "annotations"]] = .null }
            obj[path: ["metadata", "annotations", lastApplied]] = .string(JSON.sortedCompact(recorded) + "\n")
            guard let current = try await session.getIfPresent(Request(verb: .get, resource: type.plural, namespace: ns, name: name)) else {
                if dryRun == .client { return (type, obj, "created") }
                var req = Request(verb: .create, resource: type.plural, namespace: ns)
                req.object = obj
                do { return (type, try await session.call(dryRun.mark(req)), "created") } catch { throw ManifestFailure(status: error, action: .create) }
            }
            // kubectl's client dry run computes no patch: the live object, "configured".
            if dryRun == .client { return (type, current, "configured") }
            let original = current["metadata"]["annotations"][lastApplied].stringValue.flatMap { try? JSON.parse($0) } ?? .null
            let patch = JSON.threeWayMergePatch(original: original, modified: obj, current: current)
            if patch.objectValue?.isEmpty ?? true { return (type, current, "unchanged") }
            var req = Request(verb: .patch, resource: type.plural, namespace: ns, name: name)
            req.patch = patch
            req.patchType = "merge"
            return (type, try await session.call(dryRun.mark(req)), "configured")
        }
    }
}

extension ManifestRunner {
    /// `replace --force`: delete the object, wait until it is gone, create it anew (without
    /// the old identity). A server dry run checks both steps and changes nothing.
    static func forceReplace(_ type: ResourceType, _ given: JSON, ns: String?, name: String, session: Session,
                             dryRun: DryRun) async throws -> JSON {
        var obj = given
        for f in ["resourceVersion", "uid", "creationTimestamp"] { obj[path: ["metadata", f]] = .null }
        let delete = Request(verb: .delete, resource: type.plural, namespace: ns, name: name)
        var create = Request(verb: .create, resource: type.plural, namespace: ns)
        create.object = obj
        if dryRun == .server {
            _ = try await session.call(dryRun.mark(delete))
            // The object still exists, so the create's check is that it is valid.
            do {
                return try await session.call(dryRun.mark(create))
            } catch {
                if error.code != 409 { throw error }
                return obj
            }
        }
        let gone = try await session.call(delete)
        _ = try await DeleteWaiter.waitUntilGone(type, ns: ns, name: name, uid: gone["metadata"]["uid"].stringValue, until: .infinity, session: session)
        return try await session.call(create)
    }
}

extension JSON {
    /// Compact JSON with keys sorted at every level, as kubectl records last-applied.
    static func sortedCompact(_ v: JSON) -> String { v.sortingKeys.compactString }
}

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Create or update resources from files.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var files: FileOptions
    @OptionGroup var dryRun: DryRunOptions
    func run() async throws { try await ManifestRunner.run(.apply, files: files, global: global, dryRun: dryRun) }
}

struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create resources from files, or a namespace, configmap, secret generic, job or cronjob by name.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var files: FileOptions
    @OptionGroup var data: CreateDataOptions
    @OptionGroup var dryRun: DryRunOptions
    @Option(help: "Image name to run (create job, create cronjob).") var image: String?
    @Option(help: "The resource to make the Job from: cronjob/NAME (create job).") var from: String?
    @Option(help: "A schedule in the Cron format (create cronjob).") var schedule: String?
    @Option(help: "The pods' restart policy, OnFailure or Never (create cronjob).") var restart: String?
    @Argument(help: "namespace NAME | configmap NAME | secret generic NAME | job NAME (--image=IMAGE [-- COMMAND [ARGS...]] | --from=cronjob/NAME) | cronjob NAME --image=IMAGE --schedule=SCHEDULE [-- COMMAND [ARGS...]]")
    var what: [String] = []
    func run() async throws {
        if what.isEmpty { return try await ManifestRunner.run(.create, files: files, global: global, dryRun: dryRun) }
        // The words after `--` land in `what` too; as cobra's ArgsLenAtDash, they are the command.
        let args = CommandLine.arguments
        let afterDash = args.firstIndex(of: "--").map { args.count - $0 - 1 } ?? 0
        var data = data
        data.image = image
        data.from = from
        data.schedule = schedule
        data.restart = restart
        data.command = Array(what.suffix(afterDash))
        try await CreateByName.run(Array(what.dropLast(afterDash)), data: data, global: global, output: files.output,
                                   dryRun: try dryRun.strategy())
    }
}

struct ReplaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replace", abstract: "Replace resources from files (honours resourceVersion).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var files: FileOptions
    @OptionGroup var dryRun: DryRunOptions
    @Flag(help: "Delete and re-create the resource instead of updating it.") var force = false
    func run() async throws { try await ManifestRunner.run(.replace, files: files, global: global, dryRun: dryRun, force: force) }
}
