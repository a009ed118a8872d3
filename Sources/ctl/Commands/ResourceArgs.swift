/// What `ctl get|delete|describe` was asked about: `pods`, `pod web`, `pod/web`,
/// `pods,nodes`, `replicaset.apps/web-5d9`.
struct ResourceSelection {
    var type: ResourceType
    var names: [String]
}

enum ResourceArgs {
    static func parse(_ args: [String]) throws -> [ResourceSelection] {
        guard let first = args.first else {
            throw CtlError("You must specify the type of resource to get. Use \"ctl api-resources\" for a complete list of supported resources.")
        }
        if first.contains("/") {
            var out: [ResourceSelection] = []
            for a in args {
                let parts = a.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[1].isEmpty else { throw CtlError("arguments in resource/name form must have a single resource and name") }
                let t = try resolve(parts[0])
                if let i = out.firstIndex(where: { $0.type == t }) { out[i].names.append(parts[1]) } else { out.append(ResourceSelection(type: t, names: [parts[1]])) }
            }
            return out
        }
        let types = try first.split(separator: ",").map { try resolve(String($0)) }
        guard !types.isEmpty else {
            throw CtlError("You must specify the type of resource to get. Use \"ctl api-resources\" for a complete list of supported resources.")
        }
        let names = Array(args.dropFirst())
        if names.contains(where: { $0.contains("/") }) {
            throw CtlError("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form")
        }
        if types.count > 1 && !names.isEmpty { throw CtlError("names cannot be given for more than one resource type") }
        return types.map { ResourceSelection(type: $0, names: names) }
    }

    static func resolve(_ s: String) throws -> ResourceType {
        guard let t = ResourceType.resolve(s) else { throw CtlError("the server doesn't have a resource type \"\(s)\"") }
        return t
    }
}
