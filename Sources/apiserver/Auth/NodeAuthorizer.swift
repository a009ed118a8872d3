/// What each user may do, after Kubernetes' node authorizer and NodeRestriction admission.
///
/// Admin: everything (proxy to kubelets and `pods/binding` included). The node token
/// without a node name: reads only. A node N reads Nodes, Leases, Namespaces, discovery and
/// version; the pods bound to N (`get`; `list`/`watch` only with the field selector
/// `spec.nodeName=N`, or `metadata.name=` of one such pod); and the ConfigMaps and Secrets
/// those pods reference (`get`, or `list`/`watch` naming one with `metadata.name=`), as
/// `NodeGraph` knows them. It writes: the Node N and the Lease `kube-node-lease/N`
/// (create, update, patch, delete); Events (create, update, patch); the status of
/// (update/patch with `subresource: "status"`) and deletion of pods bound to N. Whether a
/// written pod is bound to N is checked against the stored pod by
/// `APIService.checkNodeOwnsPod` inside the write. Nothing else: no other reads, no pod
/// create or binding, no `deletecollection`, no proxy.
///
/// A shared join token cannot stop one node from claiming another's name in its hello;
/// per-node credentials are future work (see docs/OPERATIONS.md).
struct Authorizer: Sendable {
    let graph: NodeGraph

    init(graph: NodeGraph = NodeGraph()) { self.graph = graph }

    func authorize(_ user: User, _ req: Request, object: JSON?) throws(Status) {
        switch user {
        case .admin: return
        case .anonymousNode:
            if req.verb.isRead { return }
            throw deny(user, req)
        case .node(let node):
            if req.verb.isRead {
                if let why = nodeReadDenial(node, req) { throw deny(user, req, why: why) }
                return
            }
            if nodeMayWrite(node, req, object: object) { return }
            throw deny(user, req)
        }
    }

    /// Why node `node` may not make read `req`; nil if it may. The reasons are Kubernetes'
    /// node authorizer's; an empty one is a plain refusal.
    private func nodeReadDenial(_ node: String, _ req: Request) -> String? {
        if req.verb == .discovery || req.verb == .version { return nil }
        switch req.resource {
        case "nodes", "leases", "namespaces":
            return nil
        case "pods":
            if [.list, .watch].contains(req.verb) {
                let fields = (try? FieldSelector.parse(req.fieldSelector ?? ""))?.requirements ?? []
                if fields.contains(where: { $0.field == "spec.nodeName" && !$0.negated && $0.value == node }) { return nil }
                // One pod known to be bound to the node, named by `metadata.name=`.
                if let name = Self.selectedName(req), let ns = req.namespace, graph.podIsBound(namespace: ns, name: name, to: node) { return nil }
                return "can only list/watch pods with spec.nodeName field selector"
            }
            guard let name = req.name, !name.isEmpty else { return "No Object name found" }
            guard let ns = req.namespace, graph.podIsBound(namespace: ns, name: name, to: node) else {
                return "no relationship found between node '\(node)' and this object"
            }
            return nil
        case "configmaps", "secrets":
            if req.subresource != nil { return "cannot read subresource" }
            guard let ns = req.namespace, !ns.isEmpty else { return "can only read namespaced object of this type" }
            let name = req.verb == .get ? req.name : Self.selectedName(req)
            guard let name, !name.isEmpty else { return "No Object name found" }
            if graph.isReferenced(NodeGraph.Reference(resource: req.resource, namespace: ns, name: name), by: node) { return nil }
            return "no relationship found between node '\(node)' and this object"
        default:
            return ""
        }
    }

    /// The name a list or watch narrows to with `metadata.name=`, as Kubernetes takes it for
    /// authorization.
    private static func selectedName(_ req: Request) -> String? {
        let fields = (try? FieldSelector.parse(req.fieldSelector ?? ""))?.requirements ?? []
        return fields.first { $0.field == "metadata.name" && !$0.negated }?.value
    }

    private func nodeMayWrite(_ node: String, _ req: Request, object: JSON?) -> Bool {
        guard [.create, .update, .patch, .delete].contains(req.verb) else { return false }
        switch req.resource {
        case "nodes":
            return writtenName(req, object: object) == node
        case "leases":
            return req.namespace == "kube-node-lease" && req.subresource == nil && writtenName(req, object: object) == node
        case "events":
            return req.verb != .delete && req.subresource == nil
        case "pods":
            switch req.verb {
            case .update, .patch: return req.subresource == "status"
            case .delete: return req.subresource == nil
            default: return false
            }
        default:
            return false
        }
    }

    /// The name of the object the request will write: the object's own name for `create`
    /// (the request's `name` is not used there), the request's name otherwise (`update`
    /// falls back to the object's name, as its handler does).
    private func writtenName(_ req: Request, object: JSON?) -> String? {
        let objectName = object?["metadata"]["name"].stringValue
        switch req.verb {
        case .create: return objectName
        case .update: return req.name ?? objectName
        default: return req.name
        }
    }

    /// Kubernetes' Forbidden: `pods "p" is forbidden: User "system:node:n1" cannot get
    /// resource "pods" in API group "" in the namespace "default"`, then `: why` if given.
    func deny(_ user: User, _ req: Request, why: String = "") -> Status {
        let group = ResourceType.known.first { $0.plural == req.resource }?.group ?? ""
        var msg = group.isEmpty ? req.resource : "\(req.resource).\(group)"
        if let n = req.name, !n.isEmpty { msg += " \"\(n)\"" }
        let what = req.resource + (req.subresource.map { "/\($0)" } ?? "")
        msg += " is forbidden: User \"\(user)\" cannot \(req.verb.rawValue) resource \"\(what)\" in API group \"\(group)\""
        if let ns = req.namespace, !ns.isEmpty { msg += " in the namespace \"\(ns)\"" } else { msg += " at the cluster scope" }
        if !why.isEmpty { msg += ": \(why)" }
        return Status.forbidden(msg)
    }
}

extension Verb {
    /// Verbs that change nothing.
    var isRead: Bool { [.get, .list, .watch, .discovery, .version].contains(self) }
}
