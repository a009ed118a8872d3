import Synchronization

/// `logs` and `exec` (protocol version 2): the caller's request becomes a request of ours
/// down the node's connection, and a `StreamRelay` passes the streams between the two.
extension ServerConnection {
    /// Open `logs`/`exec` streams one connection may have (429 past it).
    static let maxStreamsPerConnection = 64

    var speaksStreams: Bool { state.withLock { $0.version >= ProtocolVersion.streams } }

    /// Why this connection may not start a stream now, if it may not (checked before admission).
    func streamRefusal(_ req: Request) -> Status? {
        guard speaksStreams else {
            return .badRequest("\(req.verb.rawValue) needs protocol version \(ProtocolVersion.streams) (streams); this connection negotiated version 1")
        }
        return nil
    }

    /// Starts an admitted `logs`/`exec` request: frames the caller sends from now on reach
    /// the relay (stdin within its window waits there until the node's request is out).
    func startStream(_ req: Request, user: User) -> Task<Void, Never>? {
        let upstream: Set<String>
        do throws(Status) {
            if req.verb == .exec {
                upstream = try ExecOptions(json: req.body).stdin ? [StreamName.stdin] : []
            } else {
                _ = try LogOptions(json: req.body)
                upstream = []
            }
        } catch {
            answerStream(req, .failure(error))
            return nil
        }
        let downstream: Set<String> = req.verb == .exec ? [StreamName.stdout, StreamName.stderr] : [StreamName.stdout]
        let relay = StreamRelay(caller: self, request: req, upstream: upstream, downstream: downstream)
        let live = state.withLock { s -> Bool in
            guard s.requests[req.id] != nil else { return false }
            s.relays[req.id] = relay
            return true
        }
        guard live else { return nil }
        return Task { [self] in
            do throws(Status) {
                try server.service.authorizer.authorize(user, req, object: nil)
                let target = try server.service.streamTarget(req)
                guard let link = server.service.tunnels.link(target.node) as? ServerConnection else {
                    throw Status.unavailable("node \"\(target.node)\" has no open connection to the apiserver (its kubelet dials in: is it running?)")
                }
                guard link.speaksStreams else {
                    throw Status.unavailable("the kubelet of node \"\(target.node)\" speaks protocol version 1, which has no streams: \(req.verb.rawValue) needs version \(ProtocolVersion.streams)")
                }
                try link.sendStream(target.forwarded, relay: relay)
            } catch {
                relay.fail(error)
            }
        }
    }

    /// Sends the node our request for `relay` (node side).
    func sendStream(_ req: Request, relay: StreamRelay) throws(Status) {
        let id = state.withLock { s -> Int? in
            if case .closed = s.phase { return nil }
            let id = s.nextOutboundID
            s.nextOutboundID += 1
            s.nodeStreams[id] = relay
            return id
        }
        guard let id else { throw Status.unavailable("the node's connection is closed") }
        var r = req
        r.id = id
        framed.send(Message.request(r).frame)
        if !relay.attach(node: self, nodeID: id) {
            // The caller cancelled or went away meanwhile.
            dropNodeStream(id)
            framed.send(Message.cancel(id: id).frame)
        }
    }

    func dropRelay(_ id: Int) { state.withLock { _ = $0.relays.removeValue(forKey: id) } }
    func dropNodeStream(_ id: Int) { state.withLock { _ = $0.nodeStreams.removeValue(forKey: id) } }

    /// The final answer of the caller's stream request (once; later ones are dropped).
    func answerStream(_ req: Request, _ reply: Reply) { answer(req, reply) }

    /// A stream frame from the peer. `side: client` frames belong to the peer's own
    /// requests (the caller's stdin and windows), `side: server` ones to ours (a node's
    /// output). `window` and `eof` for a stream that already ended are dropped (they race
    /// with its end), as is anything for a request of ours that ended; `data` for an id of
    /// the peer's with no open stream is answered 400 under that id.
    func received(stream m: StreamMessage) {
        switch m.side {
        case .client:
            if let relay = state.withLock({ $0.relays[m.id] }) {
                relay.fromCaller(m)
            } else if case .data = m {
                let s = Status.badRequest("no open stream with id \(m.id) on this connection: data must follow a logs or exec request of that id")
                framed.send(Message.response(id: m.id, result: .failure(s), warnings: []).frame)
            }
        case .server:
            state.withLock { $0.nodeStreams[m.id] }?.fromNode(m)
        }
    }

    /// A stream frame that did not parse (bad base64, a window out of range, a bad stream
    /// name): it fails the stream it names, if one is open; true if it did.
    func failStream(_ o: JSONObject, _ error: Status) -> Bool {
        guard let id = o["id"]?.intValue else { return false }
        if o["side"]?.stringValue == "server" {
            // Not answered under `id`: that would answer the peer's own request `id`.
            guard let relay = state.withLock({ $0.nodeStreams[id] }) else { return true }
            relay.fail(.badGateway("the node sent a malformed stream frame: \(error.message)"))
            return true
        }
        guard let relay = state.withLock({ $0.relays[id] }) else { return false }
        relay.fail(error)
        return true
    }
}
