/// Objects that exist from the first start: the system namespaces.
enum Bootstrap {
    static let namespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    static func ensureNamespaces(_ service: APIService) async throws(Status) {
        for name in namespaces {
            if try service.store.get(ObjectKey(resource: "namespaces", namespace: nil, name: name)) != nil { continue }
            var req = Request(verb: .create, resource: "namespaces")
            req.object = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
            if case .failure(let s) = await service.handle(req, user: .admin, stream: nil), !s.isAlreadyExists {
                throw s
            }
        }
    }
}
