/// Who a connection authenticated as.
enum User: Sendable, Equatable, CustomStringConvertible {
    /// Holder of the admin token: may do everything.
    case admin
    /// A kubelet holding the node join token, speaking for the node it named.
    case node(String)
    /// Holder of the node token that named no node: read-only.
    case anonymousNode

    var description: String {
        switch self {
        case .admin: return "admin"
        case .node(let n): return "system:node:\(n)"
        case .anonymousNode: return "system:nodes"
        }
    }
}

/// Authentication: the hello's token against the data dir's tokens.
struct Authenticator: Sendable {
    let tokens: Tokens

    func authenticate(_ hello: Hello) throws(Status) -> User {
        if Tokens.constantTimeEqual(hello.token, tokens.admin) { return .admin }
        if Tokens.constantTimeEqual(hello.token, tokens.node) {
            guard let n = hello.nodeName, !n.isEmpty else { return .anonymousNode }
            if let p = LabelSyntax.dns1123SubdomainProblem(n) { throw Status.badRequest("invalid node name \"\(n)\": \(p)") }
            return .node(n)
        }
        throw Status.unauthorized("Unauthorized: the token is not valid")
    }
}
