import ArgumentParser

/// `set image TYPE NAME|TYPE/NAME CONTAINER=IMAGE ...` (kubectl's `set image`): pods, and
/// the pod templates of deployments, replicasets, daemonsets, statefulsets and jobs. `*`
/// names every container. One command with `image` as its first argument, as `rollout`.
struct SetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Set specific features on objects (image).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "image, then TYPE NAME or TYPE/NAME, then CONTAINER=IMAGE pairs") var args: [String] = []

    func run() async throws {
        guard let action = args.first else { throw CtlError("you must specify one of: image") }
        guard action == "image" else { throw CtlError("unknown command \"\(action)\" for \"ctl set\"") }
        let rest = args.dropFirst()
        let pairs = rest.filter { $0.contains("=") }
        let targets = rest.filter { !$0.contains("=") }
        guard !targets.isEmpty else { throw CtlError("one or more resources must be specified as <resource> <name> or <resource>/<name>") }
        guard !pairs.isEmpty else { throw CtlError("at least one image update is required") }
        var images: [(String, String)] = []
        for p in pairs {
            let kv = p.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else { throw CtlError("invalid image update \"\(p)\": expected CONTAINER=IMAGE") }
            images.append((kv[0], kv[1]))
        }
        let sels = try ResourceArgs.parse(Array(targets))
        let session = try await Session.open(global)
        defer { session.close() }
        let ns = session.settings.namespace
        var failures: [String] = []
        for sel in sels {
            let specPath: [String]
            switch sel.type {
            case .pods: specPath = ["spec"]
            case .deployments, .replicaSets, .daemonSets, .statefulSets, .jobs: specPath = ["spec", "template", "spec"]
            default: throw CtlError("cannot set image on \(sel.type.qualifiedPlural): it has no pod template")
            }
            for name in sel.names {
                let o = try await session.call(Request(verb: .get, resource: sel.type.plural, namespace: ns, name: name))
                let spec = o[path: specPath]
                var patchSpec = JSONObject()
                var missing: [String] = []
                for field in ["initContainers", "containers"] {
                    var changes: [JSON] = []
                    for c in spec[field].arrayValue ?? [] {
                        let cname = c["name"].stringValue ?? ""
                        guard let image = images.last(where: { $0.0 == cname || $0.0 == "*" })?.1, c["image"].stringValue != image else { continue }
                        changes.append(["name": .string(cname), "image": .string(image)])
                    }
                    if !changes.isEmpty { patchSpec[field] = .array(changes) }
                }
                let names = Set(((spec["containers"].arrayValue ?? []) + (spec["initContainers"].arrayValue ?? [])).compactMap { $0["name"].stringValue })
                for (c, _) in images where c != "*" && !names.contains(c) { missing.append(c) }
                if !missing.isEmpty {
                    failures += missing.map { "unable to find container named \"\($0)\"" }
                    continue
                }
                // Nothing to change: kubectl prints nothing for it.
                if patchSpec.isEmpty { continue }
                var patch: JSON = .object(patchSpec)
                for key in specPath.reversed() { patch = [key: patch] }
                var req = Request(verb: .patch, resource: sel.type.plural, namespace: ns, name: name)
                req.patch = patch
                req.patchType = "strategic"
                do {
                    _ = try await session.call(req)
                } catch {
                    failures.append("failed to patch image update to pod template: \(Output.describe(error))")
                    continue
                }
                Output.print("\(sel.type.nameType)/\(name) image updated\n")
            }
        }
        if !failures.isEmpty { throw CtlError(failures.joined(separator: "\n")) }
    }
}
