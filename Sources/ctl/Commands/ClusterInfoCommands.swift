import ArgumentParser

/// `api-versions`: each group/version the server serves, sorted, one a line.
struct APIVersionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api-versions", abstract: "Print the supported API versions, as group/version.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let session = try await Session.open(global)
        defer { session.close() }
        let list = try await session.call(Request(verb: .discovery))
        var versions = Set<String>()
        for r in list["resources"].arrayValue ?? [] {
            let g = r["group"].stringValue ?? "", v = r["version"].stringValue ?? "v1"
            versions.insert(g.isEmpty ? v : "\(g)/\(v)")
        }
        Output.print(versions.sorted().map { $0 + "\n" }.joined())
    }
}

/// `cluster-info`: where the apiserver answers (after asking it).
struct ClusterInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cluster-info", abstract: "Print the address of the apiserver.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let session = try await Session.open(global)
        defer { session.close() }
        _ = try await session.call(Request(verb: .version))
        Output.print("Skiff apiserver is running at \(session.settings.server)\n")
    }
}
