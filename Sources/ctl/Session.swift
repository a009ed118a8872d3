import Foundation

/// One ctl invocation's connection: connect once, fail fast, print server warnings.
/// Used by one command at a time (no concurrent calls), hence `@unchecked Sendable`.
final class Session: @unchecked Sendable {
    let settings: ClientSettings
    let config: ClientConfig
    /// Replaced when a reply too large for a frame ended the previous one.
    private(set) var connection: WireConnection

    private init(settings: ClientSettings, config: ClientConfig, connection: WireConnection) {
        self.settings = settings
        self.config = config
        self.connection = connection
    }

    static func open(_ g: GlobalOptions) async throws -> Session {
        let s = try ClientSettings.resolve(g)
        let timeoutMs = Int32(min((s.timeoutSeconds ?? 30) * 1000, 30_000))
        let config = ClientConfig(server: s.server, token: s.token, clientName: "ctl/\(CtlVersion.version)",
                                  connectTimeoutMs: timeoutMs, requestTimeoutSeconds: s.timeoutSeconds)
        let conn = try await WireConnection.connect(config)
        return Session(settings: s, config: config, connection: conn)
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

    /// kubectl's default `--chunk-size`.
    static let defaultPageSize = 500

    /// Lists everything in pages of `base.limit` items (nil: one answer), following
    /// `continue` to the end; the pages share one snapshot. A page whose reply is larger
    /// than a frame may carry ends the connection: it is asked again, on a new connection,
    /// for half as many items (the `continue` token of the page before stays valid).
    func listAll(_ base: Request) async throws(Status) -> (items: [JSON], resourceVersion: String) {
        var req = base
        req.verb = .list
        var items: [JSON] = []
        var rv = ""
        while true {
            let page: JSON
            do {
                page = try await call(req)
            } catch {
                guard Self.isReplyTooLarge(error), let limit = req.limit, limit > 1 else { throw error }
                req.limit = limit / 2
                try await reconnect()
                continue
            }
            items.append(contentsOf: page["items"].arrayValue ?? [])
            rv = page["metadata"]["resourceVersion"].stringValue ?? rv
            guard let next = page["metadata"]["continue"].stringValue, !next.isEmpty else { break }
            req.continueToken = next
        }
        return (items, rv)
    }

    /// The reply did not fit in a frame (this client's limit: `FrameLimits.maxFrameBytes`).
    static func isReplyTooLarge(_ s: Status) -> Bool {
        s.isConnectionFailure && s.message.contains("frame length") && s.message.contains("exceeds the limit")
    }

    private func reconnect() async throws(Status) {
        connection.close()
        connection = try await WireConnection.connect(config)
    }

    func close() { connection.close() }
}

enum CtlVersion {
    static let version = "v0.1.0"
}
