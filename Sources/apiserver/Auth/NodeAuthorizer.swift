/// What each user may do. Admin: everything (proxy to kubelets included). A node: read everything; write its own Node
/// and its own Lease in `kube-node-lease`; create and update Events; update the status of
/// pods bound to it and delete them once terminated.
///
/// A shared join token cannot stop one node from claiming another's name in its hello;
/// per-node credentials are future work (see docs/OPERATIONS.md).
struct Authorizer: Sendable {
    func authorize(_ user: User, _ req: Request, object: JSON?) throws(Status) {
        switch user {
        case .admin: return
        case .anonymousNode:
            if [.get, .list, .watch, .discovery, .version].contains(req.verb) { return }
            throw deny(user, req)
        case .node(let node):
            switch req.verb {
            case .get, .list, .watch, .discovery, .version: return
            // Reaching into kubelets is for admins only (nodes/proxy in Kubernetes).
            case .proxy: throw deny(user, req)
            default: break
            }
            let name = req.name ?? object?["metadata"]["name"].stringValue ?? ""
            switch req.resource {
            case "nodes":
                if name == node && req.verb != .deletecollection { return }
            case "leases":
                if req.namespace == "kube-node-lease" && name == node && req.verb != .deletecollection { return }
            case "events":
                if [.create, .update, .patch].contains(req.verb) { return }
            case "pods":
                // Pod status and deletion for the node's own pods is checked against the
                // stored pod by `ownsPod` in the handler.
                if req.subresource == "status" || req.verb == .delete { return }
            default: break
            }
            throw deny(user, req)
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
