import Synchronization

/// One `logs`/`exec` stream relayed between the caller's connection (ctl) and the node's
/// (the kubelet that dialed in). The hub keeps no buffer of its own: each frame is passed
/// on as it comes, readdressed to the other connection's request id. It does keep the
/// windows both ways, so a peer that sends more than the other end granted is stopped
/// (the stream fails) instead of filling the hub: what the hub holds for a stream, queued
/// toward a slow reader, is never more than that reader's window.
///
/// Thread-safety: any thread; frames come from each connection's loop thread, in order.
final class StreamRelay: Sendable {
    let caller: ServerConnection
    let request: Request
    /// Streams the caller sends (stdin, when the exec asked for it) and streams the node sends.
    let upstream: Set<String>
    let downstream: Set<String>

    private struct Windows {
        /// What each sender may still send, as the receiving end granted it.
        var callerMaySend: [String: Int] = [:]
        var nodeMaySend: [String: Int] = [:]
        var done = false
        /// The node's connection and our request id there, once the request went out.
        var node: ServerConnection?
        var nodeID = 0
        /// What the caller sent before that (stdin within its window), passed on then.
        var early: [StreamMessage] = []
    }
    private let windows: Mutex<Windows>

    init(caller: ServerConnection, request: Request, upstream: Set<String>, downstream: Set<String>) {
        self.caller = caller
        self.request = request
        self.upstream = upstream
        self.downstream = downstream
        var w = Windows()
        for n in upstream { w.callerMaySend[n] = StreamWindow.initial }
        for n in downstream { w.nodeMaySend[n] = StreamWindow.initial }
        windows = Mutex(w)
    }

    /// A frame from the caller: data and eof of upstream streams, windows of downstream ones.
    func fromCaller(_ m: StreamMessage) {
        let refusal = windows.withLock { w -> Status? in
            if w.done { return nil }
            if let r = Self.account(m, sends: upstream, receives: downstream, senderMay: &w.callerMaySend, receiverMay: &w.nodeMaySend, who: "the client") {
                return r
            }
            if let node = w.node { node.framed.send(m.readdressed(id: w.nodeID, side: .server).frame) } else { w.early.append(m) }
            return nil
        }
        if let refusal { fail(refusal) }
    }

    /// The request went out to the node as `nodeID`: what the caller sent meanwhile follows it.
    /// False if the relay ended meanwhile.
    func attach(node: ServerConnection, nodeID: Int) -> Bool {
        windows.withLock { w in
            if w.done { return false }
            w.node = node
            w.nodeID = nodeID
            for m in w.early { node.framed.send(m.readdressed(id: nodeID, side: .server).frame) }
            w.early = []
            return true
        }
    }

    /// A frame from the node: data and eof of downstream streams, windows of upstream ones.
    func fromNode(_ m: StreamMessage) {
        let refusal = windows.withLock { w -> Status? in
            if w.done { return nil }
            if let r = Self.account(m, sends: downstream, receives: upstream, senderMay: &w.nodeMaySend, receiverMay: &w.callerMaySend, who: "the node") {
                return r
            }
            caller.framed.send(m.readdressed(id: request.id, side: .client).frame)
            return nil
        }
        if let refusal { fail(Status.badGateway("the node broke the stream's rules: \(refusal.message)")) }
    }

    /// Checks `m` against the windows and books it: data takes from the sender's window,
    /// a window grant adds to the receiver's. Returns the 400 for a frame breaking the rules.
    private static func account(_ m: StreamMessage, sends: Set<String>, receives: Set<String>, senderMay: inout [String: Int],
                                receiverMay: inout [String: Int], who: String) -> Status? {
        switch m {
        case .data(_, _, let name, let bytes):
            guard sends.contains(name) else { return .badRequest("\(who) may not send data on stream \"\(name)\" of this request") }
            let left = senderMay[name] ?? 0
            guard bytes.count <= left else {
                return .badRequest("window overflow: \(bytes.count) bytes of \(name) sent with only \(left) granted")
            }
            senderMay[name] = left - bytes.count
        case .window(_, _, let name, let n):
            guard receives.contains(name) else { return .badRequest("\(who) may not grant window on stream \"\(name)\" of this request") }
            let w = (receiverMay[name] ?? 0) + n
            guard w <= StreamWindow.maximum else {
                return .badRequest("window overflow: a grant of \(n) bytes takes the window of \(name) over \(StreamWindow.maximum)")
            }
            receiverMay[name] = w
        case .eof(_, _, let name):
            guard sends.contains(name) else { return .badRequest("\(who) may not close stream \"\(name)\" of this request") }
        }
        return nil
    }

    /// Marks the relay done once; false if it already was.
    private func end() -> (ServerConnection?, Int)? {
        let node = windows.withLock { w -> (ServerConnection?, Int)? in
            if w.done { return nil }
            w.done = true
            w.early = []
            return (w.node, w.nodeID)
        }
        guard let node else { return nil }
        caller.dropRelay(request.id)
        node.0?.dropNodeStream(node.1)
        return node
    }

    /// The node's final response: passed on to the caller.
    func nodeAnswered(_ result: Result<JSON, Status>) {
        guard end() != nil else { return }
        switch result {
        case .success(let o): caller.answerStream(request, .object(o, warnings: []))
        case .failure(let s): caller.answerStream(request, .failure(s))
        }
    }

    /// Ends the stream with `status` to the caller; the node is told to cancel.
    func fail(_ status: Status) {
        guard let (node, nodeID) = end() else { return }
        node?.framed.send(Message.cancel(id: nodeID).frame)
        caller.answerStream(request, .failure(status))
    }

    /// The caller cancelled (answered 499) or went away; the node is told to cancel.
    func callerCancelled() { fail(.canceled("the request was cancelled")) }

    /// The node's connection closed before its answer.
    func nodeClosed(_ reason: String) {
        guard end() != nil else { return }
        caller.answerStream(request, .failure(.unavailable("the node's connection closed: \(reason)")))
    }
}
