/// `ctl get --raw PATH`: the few Kubernetes URL paths that have a meaning here.
///
/// - `/api/v1/nodes/NAME/proxy/REST`: a `proxy` request, answered by that node's kubelet
///   over the connection it dialed (`healthz`, `configz`, `stats/summary`).
/// - `/healthz`, `/livez`, `/readyz`: `ok` when the apiserver answers.
/// - `/version`: the server's version object.
///
/// As kubectl prints the response body: text as it is, JSON indented.
enum RawRequest {
    static func run(_ rawPath: String, session: Session) async throws(Status) {
        var path = Substring(rawPath)
        if let q = path.firstIndex(of: "?") { path = path[..<q] }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let answer: JSON
        switch parts.count {
        case 1 where ["healthz", "livez", "readyz"].contains(parts[0]):
            _ = try await session.call(Request(verb: .version))
            answer = "ok"
        case 1 where parts[0] == "version":
            answer = try await session.call(Request(verb: .version))
        case 5... where parts[0...2] == ["api", "v1", "nodes"] && parts[4] == "proxy":
            var req = Request(verb: .proxy, resource: "nodes", name: parts[3])
            req.path = parts.dropFirst(5).joined(separator: "/")
            answer = try await session.call(req)
        default:
            throw Status(code: 404, reason: Status.Reason.notFound, message: "the server could not find the requested resource")
        }
        if let text = answer.stringValue { Output.print(text) } else { Output.print(answer.pretty() + "\n") }
    }
}
