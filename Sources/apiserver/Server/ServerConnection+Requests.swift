import Synchronization

/// Requests the apiserver sends down a client's connection (today: `proxy` to kubelets).
/// Ids are this side's own; the peer answers with a `response` carrying the same id,
/// which `ServerConnection.dispatch` hands to the waiting `OutboundRequest`.
extension ServerConnection {
    /// Sends `req` to the peer (a kubelet) and awaits its response; 504 after `timeout`
    /// seconds, 499 when the calling task is cancelled (its client cancelled or went away;
    /// either way the peer is told to cancel), 503 if the connection closes first.
    func call(_ req: Request, timeout: Double) async -> Result<JSON, Status> {
        let slot = Mutex<Int?>(nil)
        return await withTaskCancellationHandler {
            await send(req, timeout: timeout, id: slot)
        } onCancel: {
            guard let id = slot.withLock({ $0 }), let o = state.withLock({ $0.outbound.removeValue(forKey: id) }) else { return }
            framed.send(Message.cancel(id: id).frame)
            o.finish(.failure(.canceled("the request was cancelled")))
        }
    }

    private func send(_ req: Request, timeout: Double, id slot: borrowing Mutex<Int?>) async -> Result<JSON, Status> {
        await withCheckedContinuation { c in
            let id = state.withLock { s -> Int? in
                if case .closed = s.phase { return nil }
                let id = s.nextOutboundID
                s.nextOutboundID += 1
                s.outbound[id] = OutboundRequest(continuation: c, timer: nil)
                return id
            }
            guard let id else {
                c.resume(returning: .failure(.unavailable("the node's connection is closed")))
                return
            }
            slot.withLock { $0 = id }
            let timer = Task { [self] in
                try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                guard !Task.isCancelled, let o = state.withLock({ $0.outbound.removeValue(forKey: id) }) else { return }
                framed.send(Message.cancel(id: id).frame)
                o.finish(.failure(.timeout("the node did not answer within \(Int(timeout)) s")))
            }
            // Closed meanwhile (every waiter was failed): then no timer is needed.
            let waiting = state.withLock { s -> Bool in
                guard s.outbound[id] != nil else { return false }
                s.outbound[id]?.timer = timer
                return true
            }
            guard waiting else {
                timer.cancel()
                return
            }
            var r = req
            r.id = id
            framed.send(Message.request(r).frame)
            // Cancelled before the id was known: the handler found nothing to stop.
            if Task.isCancelled, let o = state.withLock({ $0.outbound.removeValue(forKey: id) }) {
                framed.send(Message.cancel(id: id).frame)
                o.finish(.failure(.canceled("the request was cancelled")))
            }
        }
    }
}

extension ServerConnection {
    /// What a peer's `response` frame says, checked more strictly than `Message.parse` does:
    /// the caller of `proxy` gets a 502 rather than a made-up error or `null` when the kubelet
    /// answers with neither `object` nor `error`, or with an `error` that is not a Status.
    static func nodeAnswer(_ o: JSONObject) -> Result<JSON, Status> {
        if let e = o["error"], !e.isNull {
            guard e.objectValue != nil, let code = e["code"].intValue, (400...599).contains(code), e["message"].stringValue != nil else {
                return .failure(.badGateway("malformed response from the node: \"error\" must be a Status with an integer code from 400 to 599 and a message, got \(String(String(decoding: e.bytes(), as: UTF8.self).prefix(200)))"))
            }
            return .failure(Status(json: e))
        }
        guard let object = o["object"] else {
            return .failure(.badGateway("malformed response from the node: it has neither \"object\" nor \"error\""))
        }
        return .success(object)
    }
}

/// A request a ServerConnection sent to its peer, awaiting its response or its timeout.
struct OutboundRequest {
    let continuation: CheckedContinuation<Result<JSON, Status>, Never>
    var timer: Task<Void, Never>?

    func finish(_ r: Result<JSON, Status>) {
        timer?.cancel()
        continuation.resume(returning: r)
    }
}
