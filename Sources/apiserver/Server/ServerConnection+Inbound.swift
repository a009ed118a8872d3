/// The peer's requests: admission (limits, duplicate ids), running them, their answers,
/// `cancel`, and what a close does to what is still in flight.
///
/// Every admitted request is in `state.requests` until its one final answer; `finish`
/// takes it out and frees its slots exactly once, whichever of answer, cancel or close
/// comes first.
extension ServerConnection {
    func start(_ req: Request, user: User) {
        let config = server.config
        var peerLimit = 0
        let streamRefused = req.verb.isStreaming ? streamRefusal(req) : nil
        let refused = state.withLock { s -> Status? in
            peerLimit = s.replyLimit
            if s.requests[req.id] != nil {
                return .badRequest("request id \(req.id) is already in flight on this connection: ids must be unique among a connection's requests in flight")
            }
            if let streamRefused { return streamRefused }
            if req.verb.isStreaming {
                guard s.streamCount < Self.maxStreamsPerConnection else {
                    return .tooManyRequests("too many streams on this connection (limit \(Self.maxStreamsPerConnection))", retryAfterSeconds: 1)
                }
            }
            if req.verb == .watch {
                guard s.watchCount < config.maxWatchesPerConnection else {
                    return .tooManyRequests("too many watches on this connection (limit \(config.maxWatchesPerConnection))", retryAfterSeconds: 1)
                }
                s.watchCount += 1
            } else {
                guard s.inflight < config.maxInflightPerConnection else {
                    return .tooManyRequests("too many requests in flight, please try again later", retryAfterSeconds: 1)
                }
                s.inflight += 1
            }
            if req.verb.isStreaming { s.streamCount += 1 }
            s.requests[req.id] = InFlight(verb: req.verb, global: req.verb != .list)
            return nil
        }
        if let refused {
            framed.send(Message.response(id: req.id, result: .failure(refused), warnings: []).frame)
            return
        }
        // A client that does not read its replies gets no more work queued for it.
        let reading = req.verb == .watch || framed.pendingOutputBytes <= config.maxPendingReplyBytes
        // A list waiting at its connection's gate holds no server-wide slot: one client's
        // queue of lists cannot use up everyone's.
        let slots = req.verb == .watch ? server.watchSlots : server.requestSlots
        let global = req.verb == .list || slots.take()
        guard reading, global else {
            if global && req.verb != .list { slots.give() }
            takeOut(req.id, releasingGlobal: false)
            let s: Status = !reading ? .tooManyRequests("too many replies waiting to be read by this client", retryAfterSeconds: 1)
                : req.verb == .watch ? .tooManyRequests("too many watches on this server (limit \(config.maxWatches))", retryAfterSeconds: 1)
                : .tooManyRequests("too many requests in flight, please try again later", retryAfterSeconds: 1)
            framed.send(Message.response(id: req.id, result: .failure(s), warnings: []).frame)
            return
        }
        let limit = peerLimit
        let stream = req.verb == .watch ? watchContext(req.id, frameLimit: limit) : nil
        let work: RequestBatcher.Work = { [self] in
            await server.service.handle(req, user: user, replyLimit: limit, stream: stream) { reply in
                self.answer(req, reply)
            }
        }
        switch req.verb {
        case .get, .create, .update, .patch, .delete, .version, .discovery:
            server.batcher.add(work)
        case .list:
            // One list at a time per connection, each only once the previous replies are
            // mostly read: a client that pipelines big lists and reads nothing holds at most
            // about one reply in memory.
            let gate = listGate
            let framed = framed
            let lowWater = config.listStartBelowPendingBytes
            keep(req.id, Task {
                await gate.acquire()
                defer { gate.release() }
                let open = await framed.waitForOutput(below: lowWater)
                if !open || Task.isCancelled {
                    self.answer(req, .failure(.canceled("list cancelled before it started")))
                    return
                }
                guard self.takeGlobalSlot(req.id) else {
                    self.answer(req, .failure(.tooManyRequests("too many requests in flight, please try again later", retryAfterSeconds: 1)))
                    return
                }
                // Held until the reply is queued (the list itself runs on the store's threads).
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    Task {
                        await self.server.service.handle(req, user: user, replyLimit: limit, stream: nil) { reply in
                            self.answer(req, reply)
                            done.resume()
                        }
                    }
                }
            })
        case .watch, .deletecollection, .proxy:
            keep(req.id, Task { await work() })
        case .logs, .exec:
            if let task = startStream(req, user: user) { keep(req.id, task) }
        }
    }

    /// Remembers the task running request `id`, so cancel and close can stop it.
    private func keep(_ id: Int, _ task: Task<Void, Never>) {
        state.withLock { $0.requests[id]?.task = task }
    }

    /// Takes a server-wide request slot for request `id` (a list past its gate); false when
    /// none is free or the request is no longer in flight.
    private func takeGlobalSlot(_ id: Int) -> Bool {
        guard server.requestSlots.take() else { return false }
        let held = state.withLock { s -> Bool in
            guard s.requests[id] != nil else { return false }
            s.requests[id]?.global = true
            return true
        }
        if !held { server.requestSlots.give() }
        return held
    }

    /// Takes request `id` out of the in-flight table and frees its slots; false if it was
    /// already out (answered, cancelled or closed).
    @discardableResult
    func takeOut(_ id: Int, releasingGlobal: Bool = true) -> Bool {
        guard let r = state.withLock({ s -> InFlight? in
            guard let r = s.requests.removeValue(forKey: id) else { return nil }
            if r.verb == .watch { s.watchCount -= 1 } else { s.inflight -= 1 }
            if r.verb.isStreaming { s.streamCount -= 1 }
            return r
        }) else { return false }
        if releasingGlobal && r.global { (r.verb == .watch ? server.watchSlots : server.requestSlots).give() }
        return true
    }

    /// Sends the final answer to `req` (any thread) unless it already had one.
    func answer(_ req: Request, _ reply: Reply) {
        if case .streaming = reply { return }
        if req.verb == .watch {
            state.withLock { s in
                s.watches.removeValue(forKey: req.id)
                s.cancelled.remove(req.id)
            }
        }
        guard takeOut(req.id) else { return }
        framed.send(responseFrame(req, reply))
    }

    /// The response frame for `reply`, never larger than the peer accepts; a read whose
    /// client has stopped reading gets 429 instead of more bytes queued for it.
    private func responseFrame(_ req: Request, _ reply: Reply) -> [UInt8] {
        let isRead = [.get, .list, .version, .discovery, .proxy].contains(req.verb)
        if isRead, framed.pendingOutputBytes > server.config.maxPendingReplyBytes {
            let s = Status.tooManyRequests("too many replies waiting to be read by this client", retryAfterSeconds: 1)
            return Message.response(id: req.id, result: .failure(s), warnings: []).frame
        }
        let frame: [UInt8]
        switch reply {
        case .encoded(let bytes, let warnings): frame = Message.responseFrame(id: req.id, objectBytes: bytes, warnings: warnings)
        case .object(let json, let warnings): frame = Message.response(id: req.id, result: .success(json), warnings: warnings).frame
        case .failure(let status): frame = Message.response(id: req.id, result: .failure(status), warnings: []).frame
        case .streaming: frame = []
        }
        // Every peer takes at least 4096 bytes (hello.maxFrameBytes): small frames need no look.
        guard frame.count - 4 > 4096 else { return frame }
        let limit = state.withLock { $0.replyLimit }
        guard frame.count - 4 > limit else { return frame }
        let done = isRead || req.dryRun ? "" : "the \(req.verb.rawValue) was committed, but "
        let s = Status.internalError("\(done)the reply is \(frame.count - 4) bytes, over the largest frame this connection accepts (\(limit) bytes)")
        return Message.response(id: req.id, result: .failure(s), warnings: []).frame
    }

    private func watchContext(_ id: Int, frameLimit: Int) -> WatchStreamContext {
        var context = WatchStreamContext(
            connection: framed, requestID: id,
            finish: { [self] status in
                let owned = state.withLock { $0.watches.removeValue(forKey: id) != nil }
                guard owned, takeOut(id) else { return }
                framed.send(Message.response(id: id, result: status.map { .failure($0) } ?? .success(.null), warnings: []).frame)
            },
            register: { [self] w in
                state.withLock { s -> Bool in
                    if s.cancelled.remove(id) != nil { return false }
                    if case .closed = s.phase { return false }
                    guard s.requests[id] != nil else { return false }
                    s.watches[id] = w
                    return true
                }
            })
        context.frameLimit = frameLimit
        return context
    }

    /// The peer's `cancel`: a watch ends with `object: null`; a list or proxy is stopped and
    /// answered 499 `Canceled`; other verbs are quick (writes cannot be taken back once
    /// queued) and are answered as usual.
    func cancel(_ id: Int) {
        if let relay = state.withLock({ $0.relays[id] }) {
            relay.callerCancelled()
            return
        }
        let (watcher, task) = state.withLock { s -> (Watcher?, Task<Void, Never>?) in
            guard let r = s.requests[id] else { return (nil, nil) }
            if let w = s.watches.removeValue(forKey: id) { return (w, nil) }
            if r.verb == .watch { s.cancelled.insert(id) }
            return (nil, r.task)
        }
        task?.cancel()
        guard let watcher else { return }
        server.service.hub.remove(watcher)
        guard takeOut(id) else { return }
        framed.send(Message.response(id: id, result: .success(.null), warnings: []).frame)
    }

    /// The connection is gone: its watches leave the hub, its running lists and proxies are
    /// cancelled, and every slot it held is freed now (late answers go nowhere).
    func closed(_ reason: String) {
        let (watches, outbound, requests, user) = state.withLock { s -> ([Watcher], [OutboundRequest], [Int], User?) in
            let user: User? = if case .ready(let u) = s.phase { u } else { nil }
            s.phase = .closed
            defer {
                s.watches.removeAll()
                s.outbound.removeAll()
            }
            for r in s.requests.values { r.task?.cancel() }
            return (Array(s.watches.values), Array(s.outbound.values), Array(s.requests.keys), user)
        }
        let (relays, nodeStreams) = state.withLock { ($0.relays.values, $0.nodeStreams.values) }
        for r in relays { r.callerCancelled() }
        for r in nodeStreams { r.nodeClosed(reason) }
        for w in watches { server.service.hub.remove(w) }
        for id in requests { takeOut(id) }
        if case .node(let name)? = user { server.service.tunnels.unregister(name, self) }
        for o in outbound { o.finish(.failure(.unavailable("the node's connection closed: \(reason)"))) }
        server.forget(self)
        logger.debug("connection closed", metadata: ["reason": .string(reason)])
    }
}
