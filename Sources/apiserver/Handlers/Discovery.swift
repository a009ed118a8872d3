extension APIService {
    /// The served kinds, as `ctl api-resources` lists them.
    func discovery() -> Reply {
        let items: [JSON] = registry.served.map { t in
            [
                "name": .string(t.plural), "singularName": .string(t.singular), "shortNames": .array(t.shortNames.map { .string($0) }),
                "group": .string(t.group), "version": .string(t.version), "kind": .string(t.kind), "namespaced": .bool(t.namespaced),
                "subresources": .array(["status", "binding", "scale"].filter { !Self.subresourceVerbs(registry.strategies[t.plural]!, $0).isEmpty }.map { .string($0) }),
                "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
            ]
        }
        return .object(["kind": "APIResourceList", "resources": .array(items)], warnings: [])
    }

    func version() -> Reply {
        .object(["gitVersion": .string(serverVersion), "platform": "linux", "protocolVersions": .array(ProtocolVersion.supported.map { .int($0) })],
                warnings: [])
    }
}
