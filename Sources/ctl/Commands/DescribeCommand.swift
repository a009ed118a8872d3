import ArgumentParser

struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe", abstract: "Show details of resources and their events.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "TYPE [NAME...] or TYPE/NAME...") var resources: [String] = []
    @Option(name: [.customShort("l"), .long], help: "Label selector.") var selector: String?
    @Option(help: "Objects per list request; pages are followed to the end (0: one request).") var chunkSize = Session.defaultPageSize

    func run() async throws {
        let sels = try ResourceArgs.parse(resources)
        let session = try await Session.open(global)
        defer { session.close() }
        var first = true
        var failed = false
        for sel in sels {
            let ns = sel.type.namespaced ? (global.allNamespaces ? nil : session.settings.namespace) : nil
            var objects: [JSON] = []
            if sel.names.isEmpty {
                var req = Request(verb: .list, resource: sel.type.plural, namespace: ns)
                req.labelSelector = selector
                req.limit = chunkSize > 0 ? chunkSize : nil
                objects = try await session.listAll(req).items
            } else {
                for n in sel.names {
                    do { objects.append(try await session.call(Request(verb: .get, resource: sel.type.plural, namespace: ns, name: n))) } catch {
                        Output.error(Output.describe(error))
                        failed = true
                    }
                }
            }
            for o in objects {
                if !first { Output.print("\n\n") }
                first = false
                let lease = sel.type == .nodes ? try await Describer.lease(of: o, session: session) : nil
                let pods = sel.type == .nodes ? try await Describer.nonTerminatedPods(on: o, session: session) : nil
                let controlled = [ResourceType.replicaSets, .daemonSets].contains(sel.type)
                    ? WorkloadDescriber.PodCounts(pods: try await WorkloadDescriber.pods(of: o, session: session), ownerUID: o["metadata"]["uid"].stringValue ?? "")
                    : nil
                var w = Describer.describe(sel.type, o, lease: lease, nodePods: pods, controlledPods: controlled)
                if sel.type == .deployments {
                    w = DeploymentDescriber.describe(o, replicaSets: try await Rollout(session: session, type: .deployments, namespace: o["metadata"]["namespace"].stringValue ?? "",
                                                                                     name: o["metadata"]["name"].stringValue ?? "").replicaSets(of: o))
                }
                if Describer.showsEvents(sel.type) { Describer.events(try await Describer.events(for: o, type: sel.type, session: session), &w) }
                Output.print(w.text)
            }
        }
        if first && !failed {
            // As kubectl: nothing matched.
            let namespaced = sels.first?.type.namespaced ?? true
            Output.error(namespaced && !global.allNamespaces ? "No resources found in \(session.settings.namespace) namespace." : "No resources found")
        }
        if failed { throw ExitCode(1) }
    }
}
