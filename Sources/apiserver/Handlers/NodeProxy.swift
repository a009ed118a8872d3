import Synchronization

/// A way to send a request to one kubelet and await its answer: the connection that
/// kubelet dialed (nodes accept no inbound connections; the hub reaches them back over
/// their own link, the role Konnectivity plays in Kubernetes).
protocol NodeLink: AnyObject, Sendable {
    func call(_ req: Request, timeout: Double) async -> Result<JSON, Status>
}

/// The open link of each node that authenticated as `system:node:<name>`. A node that
/// connects again replaces its older link; a link that closes is removed only if it is
/// still the current one. With the shared join token, anyone holding it can connect as
/// any node and so answer that node's proxy requests (see OPERATIONS.md, "Tokens and trust").
///
/// Thread-safety: any thread.
final class NodeTunnels: Sendable {
    private let links = Mutex<[String: any NodeLink]>([:])

    /// Returns true when it replaced another link of the same node.
    @discardableResult
    func register(_ node: String, _ link: any NodeLink) -> Bool {
        links.withLock { l in
            defer { l[node] = link }
            return l[node] != nil
        }
    }

    func unregister(_ node: String, _ link: any NodeLink) {
        links.withLock { l in
            if l[node] === link { l[node] = nil }
        }
    }

    func link(_ node: String) -> (any NodeLink)? { links.withLock { $0[node] } }
}

extension APIService {
    /// `proxy` to `nodes/NAME`: forwards `path` (and `body`) to that node's kubelet and
    /// returns its answer. 404 for a node that does not exist, 503 for one whose kubelet
    /// is not connected, 504 when it does not answer in time.
    func proxy(_ req: Request) async throws(Status) -> Reply {
        guard req.resource == "nodes", let name = req.name, !name.isEmpty else {
            throw Status.badRequest("proxy is served for nodes only: give resource \"nodes\" and a node name")
        }
        _ = try get(Request(verb: .get, resource: "nodes", name: name))
        guard let link = tunnels.link(name) else {
            throw Status.unavailable("node \"\(name)\" has no open connection to the apiserver (its kubelet dials in: is it running?)")
        }
        var forwarded = Request(verb: .proxy, resource: "nodes", name: name)
        forwarded.path = req.path ?? ""
        forwarded.body = req.body
        switch await link.call(forwarded, timeout: proxyTimeoutSeconds) {
        case .success(let answer): return .object(answer, warnings: [])
        case .failure(let status): throw status
        }
    }
}
