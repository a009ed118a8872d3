/// The kinds this apiserver serves, each with its strategy.
struct Registry: Sendable {
    let strategies: [String: any ResourceStrategy]

    static let standard = Registry(strategies: [
        PodStrategy(), NodeStrategy(), NamespaceStrategy(), LeaseStrategy(), EventStrategy(), ConfigMapStrategy(), SecretStrategy(),
        ReplicaSetStrategy(), DeploymentStrategy(), DaemonSetStrategy(), ControllerRevisionStrategy(), JobStrategy(), CronJobStrategy(),
    ])

    init(strategies list: [any ResourceStrategy]) {
        var m: [String: any ResourceStrategy] = [:]
        for s in list { m[s.type.plural] = s }
        strategies = m
    }

    var served: [ResourceType] { strategies.values.map(\.type).sorted { $0.plural < $1.plural } }

    /// The strategy for a request's resource, or the 404 Kubernetes gives for an unknown
    /// one (saying "not supported yet" for kinds Skiff knows of but does not serve).
    func strategy(for resource: String) throws(Status) -> any ResourceStrategy {
        if let s = strategies[resource] { return s }
        if let t = ResourceType.resolve(resource), let s = strategies[t.plural] { return s }
        if let t = ResourceType.resolve(resource) {
            throw Status(code: 404, reason: Status.Reason.notFound,
                         message: "the server could not find the requested resource: kind \(t.kind) (\(t.apiVersion)) is not supported yet by Skiff",
                         details: .init(group: t.group, kind: t.plural))
        }
        throw Status(code: 404, reason: Status.Reason.notFound, message: "the server doesn't have a resource type \"\(resource)\"")
    }
}
