import ArgumentParser

struct APIResourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api-resources", abstract: "List the resource types the server serves.")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("o"), .long], help: "Output format: wide, name.") var output: String?
    @Option(help: "true: namespaced types only; false: cluster-scoped only.") var namespaced: String?
    @Option(help: "Only types that support all these verbs (comma-separated or repeated).") var verbs: [String] = []

    func run() async throws {
        if let output, output != "wide" && output != "name" { throw CtlError("--output \(output) is not available") }
        let scope: Bool?
        switch namespaced?.lowercased() {
        case nil: scope = nil
        case "true", "t", "1": scope = true
        case "false", "f", "0": scope = false
        default: throw CtlError("invalid argument \"\(namespaced!)\" for \"--namespaced\" flag: strconv.ParseBool: parsing \"\(namespaced!)\": invalid syntax")
        }
        let wanted = Set(verbs.flatMap { $0.split(separator: ",").map(String.init) })
        let session = try await Session.open(global)
        defer { session.close() }
        let list = try await session.call(Request(verb: .discovery))
        let items = (list["resources"].arrayValue ?? [])
            .filter { r in scope.map { (r["namespaced"].boolValue ?? false) == $0 } ?? true }
            .filter { r in wanted.isSubset(of: Set((r["verbs"].arrayValue ?? []).compactMap(\.stringValue))) }
            .sorted { Self.order($0) < Self.order($1) }
        if output == "name" {
            for r in items {
                let g = r["group"].stringValue ?? ""
                Output.print((r["name"].stringValue ?? "") + (g.isEmpty ? "" : ".\(g)") + "\n")
            }
            return
        }
        var t = Table(header: ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"] + (output == "wide" ? ["VERBS"] : []))
        for r in items {
            let g = r["group"].stringValue ?? "", v = r["version"].stringValue ?? "v1"
            var row = [r["name"].stringValue ?? "", (r["shortNames"].arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","),
                       g.isEmpty ? v : "\(g)/\(v)", r["namespaced"].boolValue == true ? "true" : "false", r["kind"].stringValue ?? ""]
            if output == "wide" { row.append("[" + (r["verbs"].arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ") + "]") }
            t.rows.append(row)
        }
        Output.print(t.render())
    }

    /// kubectl lists groups in the server's discovery order (the core group first, then
    /// apps, batch, coordination.k8s.io, ...) and each group's resources by name.
    static let groupOrder = ["", "apps", "batch", "coordination.k8s.io", "node.k8s.io"]
    static func order(_ r: JSON) -> (Int, String) {
        let g = r["group"].stringValue ?? ""
        return (groupOrder.firstIndex(of: g) ?? groupOrder.count, r["name"].stringValue ?? "")
    }
}
