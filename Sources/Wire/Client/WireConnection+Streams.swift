import Synchronization

/// Streams (protocol version 2): `logs` and `exec` this side sends (`openStream`), those the
/// server sends us (`serveStream`), and their frames (`routeStream`). See `StreamChannel`.
extension WireConnection {
    /// A stream frame: for a request we sent (`side: client`) or one we serve (`server`).
    /// Frames for ids with no open stream are dropped: they race with the stream's end.
    /// A frame that breaks the stream's rules ends that stream (our request: cancelled and
    /// failed with the 400; one we serve: answered with it).
    func routeStream(_ m: StreamMessage) {
        switch m.side {
        case .client:
            guard case .stream(let channel)? = state.withLock({ $0.waiters[m.id] }), let error = channel.receive(m) else { return }
            guard state.withLock({ $0.waiters.removeValue(forKey: m.id) }) != nil else { return }
            conn.send(Message.cancel(id: m.id).frame)
            channel.fail(error)
        case .server:
            let (channel, task) = state.withLock { ($0.servingStreams[m.id], $0.serving[m.id]) }
            guard let channel, let error = channel.receive(m) else { return }
            channel.fail(error)
            task?.cancel()
        }
    }

    /// Runs the stream handler for the server's `logs`/`exec` request; its answer (or the
    /// channel's failure) is the final response.
    func serveStream(_ req: Request) {
        let handler = streamRequests.withLock { $0 }
        let conn = conn
        let writes: Set<String> = req.verb == .exec ? [StreamName.stdout, StreamName.stderr] : [StreamName.stdout]
        let reads: Set<String> = req.verb == .exec ? [StreamName.stdin] : []
        let channel = StreamChannel(id: req.id, side: .server, writes: writes, reads: reads) { conn.send($0) }
        state.withLock { s in
            s.servingStreams[req.id] = channel
            s.serving[req.id] = Task { [self] in
                var result = await handler?.call(req, channel) ?? .failure(.methodNotAllowed("this client serves no \(req.verb.rawValue) requests"))
                if let f = channel.failure { result = .failure(f) }
                channel.finish(result)
                self.state.withLock { s in
                    s.serving.removeValue(forKey: req.id)
                    s.servingStreams.removeValue(forKey: req.id)
                }
                conn.send(Message.response(id: req.id, result: result, warnings: []).frame)
            }
        }
    }

    /// Sends a `logs` or `exec` request and returns its stream (protocol version 2): read
    /// what arrives on `reads`, write `writes`, and await `result()` for the final answer.
    /// No request timeout applies: a stream lasts until it ends, is cancelled (`cancel`)
    /// or the connection closes.
    public func openStream(_ req: Request, writes: Set<String>, reads: Set<String>) -> StreamChannel {
        let conn = conn
        let id = reserveID()
        let channel = StreamChannel(id: id, side: .client, writes: writes, reads: reads) { conn.send($0) }
        guard speaksStreams else {
            channel.fail(.badRequest("the server speaks protocol version \(welcome.version), which has no streams (logs, exec need version \(ProtocolVersion.streams))"))
            return channel
        }
        let live = state.withLock { s -> Bool in
            if s.closedReason != nil { return false }
            s.waiters[id] = .stream(channel)
            return true
        }
        guard live else {
            channel.fail(.connectionFailed(config.server, closedReason ?? "closed"))
            return channel
        }
        var r = req
        r.id = id
        conn.send(Frame.encode(r.json.bytes()))
        return channel
    }

    /// Stops a stream this side opened: the server answers 499 and the channel ends.
    public func cancel(_ channel: StreamChannel) {
        if state.withLock({ $0.waiters[channel.id] }) != nil { conn.send(Message.cancel(id: channel.id).frame) }
    }
}
