/// `ctl get all`: the kinds in kubectl's `all` category that this server serves.
enum AllCategory {
    /// kubectl's `all` category, in the order kubectl prints it (discovery order: the core
    /// group, then apps, autoscaling, batch).
    static let members: [(plural: String, group: String)] = [
        ("pods", ""), ("replicationcontrollers", ""), ("services", ""),
        ("daemonsets", "apps"), ("deployments", "apps"), ("replicasets", "apps"), ("statefulsets", "apps"),
        ("horizontalpodautoscalers", "autoscaling"), ("cronjobs", "batch"), ("jobs", "batch"),
    ]

    /// True when the type argument names `all` (alone or in a comma list).
    static func named(_ args: [String]) -> Bool {
        guard let first = args.first, !first.contains("/") else { return false }
        return first.split(separator: ",").contains("all")
    }

    /// The selections with `all` replaced by the served members of the category.
    static func expand(_ args: [String], session: Session) async throws -> [ResourceSelection] {
        guard args.count == 1 else { throw CtlError("names cannot be given for more than one resource type") }
        let served = try await session.call(Request(verb: .discovery))["resources"].arrayValue ?? []
        let servedKeys = Set(served.map { "\($0["name"].stringValue ?? "").\($0["group"].stringValue ?? "")" })
        var out: [ResourceSelection] = []
        for word in args[0].split(separator: ",").map(String.init) {
            let types: [ResourceType]
            if word == "all" {
                types = members.filter { servedKeys.contains("\($0.plural).\($0.group)") }
                    .compactMap { m in ResourceType.known.first { $0.plural == m.plural && $0.group == m.group } }
            } else {
                types = [try ResourceArgs.resolve(word)]
            }
            for t in types where !out.contains(where: { $0.type == t }) { out.append(ResourceSelection(type: t, names: [])) }
        }
        return out
    }
}
