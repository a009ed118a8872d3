extension APIService {
    /// Objects per page of a watch's initial state.
    static let initialStatePage = 500

    /// Starts a watch: synthetic ADDED events for the current state when no
    /// resourceVersion (or "0") is given, then every change after it, until cancelled.
    func watch(_ req: Request, stream: WatchStreamContext) async throws(Status) -> Reply {
        let t = try target(req, needsNamespace: false)
        let f = try filter(req, t)
        var after: Int64
        let rv = req.resourceVersion ?? ""
        if rv.isEmpty || rv == "0" {
            // The current state, read as of one revision in pages, each sent only once the
            // client has read most of the previous ones.
            var cursor: String? = nil
            var at: Int64? = nil
            repeat {
                let (range, from, rev) = (Self.keyRange(t, f), cursor, at)
                let page = try await store.blocking.perform { () throws(Status) -> ListPage in
                    try self.store.list(range, after: from, limit: Self.initialStatePage, atRevision: rev, name: f.name,
                                        keepsAll: f.isTrivial) { o throws(Status) -> Bool in
                        if f.isTrivial { return true }
                        return f.matches(try o.json())
                    }
                }
                at = page.revision
                for item in page.items {
                    let frame = Message.eventFrame(id: stream.requestID, shared: Message.sharedEventBody(type: "ADDED", objectBytes: item.bytes))
                    if let tooLarge = WatchHub.tooLarge(frame, limit: stream.frameLimit, revision: item.modRevision) { throw tooLarge }
                    stream.connection.send(frame)
                }
                cursor = page.continueAfter
                if cursor != nil {
                    let open = await stream.connection.waitForOutput(below: stream.paceBelowPendingBytes)
                    if !open || Task.isCancelled { break }
                }
            } while cursor != nil
            after = at ?? store.revision
        } else {
            guard let r = Int64(rv), r >= 0 else { throw Status.badRequest("invalid resourceVersion \"\(rv)\": must be an integer") }
            after = r
            let compacted = store.compactedRevision.load(ordering: .acquiring)
            if r < compacted { throw Status.gone("too old resource version: \(r) (\(compacted))") }
            let current = store.revision
            if r > current {
                throw Status(code: 504, reason: Status.Reason.timeout, message: "Too large resource version: \(r), current: \(current)",
                             details: .init(retryAfterSeconds: 1))
            }
        }
        let w = Watcher(requestID: stream.requestID, sink: stream.connection, resource: t.type, range: t.range, filter: f,
                        bookmarks: req.allowWatchBookmarks, after: after, frameLimit: stream.frameLimit, finish: stream.finish)
        guard stream.register(w) else {
            // Cancelled (or disconnected) while the initial state was being sent.
            return .object(.null, warnings: [])
        }
        try await hub.start(w, store: store)
        return .streaming
    }
}
