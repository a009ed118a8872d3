/// What each user may do, after Kubernetes' node authorizer and NodeRestriction admission.
///
/// Admin: everything (proxy to kubelets included). A node N: read everything; create,
/// update, patch and delete the Node N and the Lease `kube-node-lease/N`; create, update and
/// patch Events; write the status of (update/patch with `subresource: "status"`) and delete
/// pods bound to N. The pod's binding is checked against the stored pod by
/// `APIService.checkNodeOwnsPod` inside the write. Nothing else: no pod create,
/// no `deletecollection`, no proxy.
///
/// A shared join token cannot stop one node from claiming another's name in its hello;
/// per-node credentials are future work (see docs/OPERATIONS.md).
struct Authorizer: Sendable {
    func authorize(_ user: User, _ req: Request, object: JSON?) throws(Status) {
        switch user {
        case .admin: return
        case .anonymousNode:
            if req.verb.isRead { return }
            throw deny(user, req)
        case .node(let node):
            if req.verb.isRead { return }
            if nodeMayWrite(node, req, object: object) { return }
            throw deny(user, req)
        }
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

    func deny(_ user: User, _ req: Request) -> Status {
        let what = req.resource + (req.subresource.map { "/\($0)" } ?? "")
        var msg = "\(what)"
        if let n = req.name { msg += " \"\(n)\"" }
        msg += " is forbidden: User \"\(user)\" cannot \(req.verb.rawValue) resource \"\(what)\""
        if let ns = req.namespace { msg += " in the namespace \"\(ns)\"" }
        return Status.forbidden(msg)
    }
}

extension Verb {
    /// Verbs that change nothing.
    var isRead: Bool { [.get, .list, .watch, .discovery, .version].contains(self) }
}
