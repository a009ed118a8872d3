import Foundation

/// One ctl invocation's connection: connect once, fail fast, print server warnings.
final class Session: @unchecked Sendable {
    let settings: ClientSettings
    let connection: WireConnection

    private init(settings: ClientSettings, connection: WireConnection) {
        self.settings = settings
        self.connection = connection
    }

    static func open(_ g: GlobalOptions) async throws -> Session {
        let s = try ClientSettings.resolve(g)
        let timeoutMs = Int32(min((s.timeoutSeconds ?? 30) * 1000, 30_000))
        let config = ClientConfig(server: s.server, token: s.token, clientName: "ctl/\(CtlVersion.version)",
                                  connectTimeoutMs: timeoutMs, requestTimeoutSeconds: s.timeoutSeconds)
        let conn = try await WireConnection.connect(config)
        return Session(settings: s, connection: conn)
    }

    /// Sends `req`; warnings go to stderr as kubectl prints them.
    func call(_ req: Request) async throws(Status) -> JSON {
        let reply = try await connection.request(req)
        for w in reply.warnings { FileHandle.standardError.write(Data("Warning: \(w)\n".utf8)) }
        return reply.object
    }

    /// The object, or nil if it does not exist.
    func getIfPresent(_ req: Request) async throws(Status) -> JSON? {
        do {
            return try await call(req)
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }

    /// Lists everything, following `continue` to the end.
    func listAll(_ base: Request) async throws(Status) -> (items: [JSON], resourceVersion: String) {
        var req = base
        req.verb = .list
        var items: [JSON] = []
        var rv = ""
        while true {
            let page = try await call(req)
            items.append(contentsOf: page["items"].arrayValue ?? [])
            rv = page["metadata"]["resourceVersion"].stringValue ?? rv
            guard let next = page["metadata"]["continue"].stringValue, !next.isEmpty else { break }
            req.continueToken = next
        }
        return (items, rv)
    }

    func close() { connection.close() }
}

enum CtlVersion {
    static let version = "v0.1.0"
}
