import ArgumentParser

struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print client and server versions.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Client version only.") var client = false
    @Option(name: [.customShort("o"), .long], help: "Output format: json or yaml.") var output: String?

    /// This ctl's fields, named as the server names its own.
    static var clientVersion: JSON {
        #if arch(arm64)
        let arch = "arm64"
        #else
        let arch = "amd64"
        #endif
        return .object(JSONObject([
            ("gitVersion", .string(CtlVersion.version)), ("platform", .string("linux/\(arch)")),
            ("protocolVersions", .array(ProtocolVersion.supported.map { .number(String($0)) })),
        ]))
    }

    func run() async throws {
        if let output, output != "json" && output != "yaml" {
            throw CtlError("--output must be 'yaml' or 'json'")
        }
        if output == nil { Output.print("Client Version: \(CtlVersion.version)\n") }
        var doc: [(String, JSON)] = [("clientVersion", Self.clientVersion)]
        if !client {
            let session = try await Session.open(global)
            defer { session.close() }
            let v = try await session.call(Request(verb: .version))
            if output == nil {
                Output.print("Server Version: \(v["gitVersion"].stringValue ?? "unknown")\n")
                Output.print("Protocol Version: \(session.connection.welcome.version) (client speaks \(ProtocolVersion.supported.map(String.init).joined(separator: ",")))\n")
                return
            }
            doc.append(("serverVersion", v))
        }
        // As kubectl: JSON indented two spaces, YAML with sorted keys.
        switch output {
        case "json": Output.print(JSON.object(JSONObject(doc)).pretty(indent: 2, sortKeys: false) + "\n")
        case "yaml": Output.print(YAMLOutput.render(.object(JSONObject(doc))))
        default: break
        }
    }
}
