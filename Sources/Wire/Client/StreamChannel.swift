import Synchronization

/// One end of the streams of a `logs` or `exec` request (protocol version 2), with flow
/// control both ways: a write waits until the peer has granted room (`window` frames), and
/// this end grants the peer room only as its reader takes what arrived, so no more than
/// `StreamWindow.initial` bytes per stream are ever held here unread.
///
/// Used by the request's sender (ctl: `WireConnection.openStream`) and by its receiver (a
/// kubelet serving the apiserver's request). One writer per stream and one reader at a
/// time; any task. Frames received are fed in by the connection's loop thread (`receive`).
public final class StreamChannel: Sendable {
    public enum Chunk: Sendable, Equatable {
        case data(String, [UInt8])
        /// The peer half-closed that stream.
        case eof(String)
    }

    public let id: Int
    /// The side that sent the request; every frame of this stream carries it.
    public let side: StreamSide
    /// Streams this end sends, and streams it receives.
    public let writes: Set<String>
    public let reads: Set<String>
    let sendFrame: @Sendable ([UInt8]) -> Void
    /// The largest data frame this end sends (decoded bytes).
    static let chunkSize = 32 * 1024

    private struct State {
        var credit: [String: Int] = [:]
        var creditWaiters: [CheckedContinuation<Void, Never>] = []
        /// Bytes the peer may still send us, per stream.
        var grantLeft: [String: Int] = [:]
        /// Bytes read since our last grant, per stream.
        var consumed: [String: Int] = [:]
        var inbox: [Chunk] = []
        var inboxHead = 0
        var readWaiter: CheckedContinuation<Chunk?, Never>?
        var closedWrites: Set<String> = []
        /// No more input will come (the final response came, or the stream failed).
        var ended = false
        var failure: Status?
        var result: Result<JSON, Status>?
        var resultWaiters: [CheckedContinuation<Result<JSON, Status>, Never>] = []
    }

    private let state: Mutex<State>

    public init(id: Int, side: StreamSide, writes: Set<String>, reads: Set<String>, send: @escaping @Sendable ([UInt8]) -> Void) {
        self.id = id
        self.side = side
        self.writes = writes
        self.reads = reads
        self.sendFrame = send
        var s = State()
        for n in writes { s.credit[n] = StreamWindow.initial }
        for n in reads { s.grantLeft[n] = StreamWindow.initial }
        state = Mutex(s)
    }

    // MARK: writing

    /// Sends `bytes` on stream `name`, waiting for window as needed. Throws the stream's
    /// failure (or 499 when the calling task is cancelled) if it ends first.
    public func write(_ name: String, _ bytes: [UInt8]) async throws(Status) {
        var offset = 0
        while offset < bytes.count {
            let sent = await withTaskCancellationHandler {
                await sendSome(name, bytes[offset...])
            } onCancel: {
                wakeWriters()
            }
            offset += try sent.get()
        }
    }

    private func sendSome(_ name: String, _ bytes: ArraySlice<UInt8>) async -> Result<Int, Status> {
        while true {
            if Task.isCancelled { return .failure(.canceled("the stream was cancelled")) }
            let sent = state.withLock { s -> Result<Int, Status>? in
                if let f = s.failure { return .failure(f) }
                if s.ended { return .failure(.canceled("the stream has ended")) }
                let credit = s.credit[name] ?? 0
                guard credit > 0 else { return nil }
                let n = min(credit, bytes.count, Self.chunkSize)
                s.credit[name] = credit - n
                let chunk = Array(bytes.prefix(n))
                sendFrame(StreamMessage.data(id: id, side: side, stream: name, bytes: chunk).frame)
                return .success(n)
            }
            switch sent {
            case let r?: return r
            case nil:
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    // Checked under the lock: a cancel before this point finds no waiter to wake.
                    let now = state.withLock { s -> Bool in
                        if Task.isCancelled || s.failure != nil || s.ended || (s.credit[name] ?? 0) > 0 { return true }
                        s.creditWaiters.append(c)
                        return false
                    }
                    if now { c.resume() }
                }
            }
        }
    }

    private func wakeWriters() {
        let waiters = state.withLock { s in
            defer { s.creditWaiters = [] }
            return s.creditWaiters
        }
        for w in waiters { w.resume() }
    }

    /// Half-closes stream `name` (stdin's end of input). Once only.
    public func closeWrite(_ name: String) {
        state.withLock { s in
            guard !s.ended, s.closedWrites.insert(name).inserted else { return }
            sendFrame(StreamMessage.eof(id: id, side: side, stream: name).frame)
        }
    }

    // MARK: reading

    /// The next chunk received, or nil once the stream has ended and everything was read.
    /// Reading grants the peer room for more.
    public func read() async -> Chunk? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Chunk?, Never>) in
                let ready = state.withLock { s -> Chunk?? in
                    if s.inboxHead < s.inbox.count { return .some(take(&s)) }
                    // Cancelled before the waiter is set: the cancel handler found none to end.
                    if s.ended || s.readWaiter != nil || Task.isCancelled { return .some(nil) }
                    s.readWaiter = c
                    return .none
                }
                if let ready { c.resume(returning: ready) }
            }
        } onCancel: {
            state.withLock { s in defer { s.readWaiter = nil }; return s.readWaiter }?.resume(returning: nil)
        }
    }

    /// Takes the oldest chunk, granting window back once half of it was read.
    private func take(_ s: inout State) -> Chunk {
        let chunk = s.inbox[s.inboxHead]
        s.inboxHead += 1
        if s.inboxHead > 64 && s.inboxHead * 2 > s.inbox.count {
            s.inbox.removeFirst(s.inboxHead)
            s.inboxHead = 0
        }
        if case .data(let name, let bytes) = chunk { consumed(&s, name, bytes.count) }
        return chunk
    }

    private func consumed(_ s: inout State, _ name: String, _ n: Int) {
        let total = (s.consumed[name] ?? 0) + n
        guard total >= StreamWindow.initial / 2, !s.ended else {
            s.consumed[name] = total
            return
        }
        s.consumed[name] = 0
        s.grantLeft[name, default: 0] += total
        sendFrame(StreamMessage.window(id: id, side: side, stream: name, bytes: total).frame)
    }

    // MARK: fed by the connection

    /// One frame from the peer for this stream; a frame breaking the rules (a stream this
    /// request does not carry that way, more data than granted, a grant past the maximum)
    /// returns the 400 to fail the stream with.
    public func receive(_ m: StreamMessage) -> Status? {
        let (waiter, chunk, error) = state.withLock { s -> (CheckedContinuation<Chunk?, Never>?, Chunk?, Status?) in
            if s.ended { return (nil, nil, nil) }
            switch m {
            case .data(_, _, let name, let bytes):
                guard reads.contains(name) else { return (nil, nil, .badRequest("data for stream \"\(name)\", which request \(id) does not send that way")) }
                let left = s.grantLeft[name] ?? 0
                guard bytes.count <= left else {
                    return (nil, nil, .badRequest("window overflow: \(bytes.count) bytes of \(name) arrived with only \(left) granted"))
                }
                s.grantLeft[name] = left - bytes.count
                return deliver(&s, .data(name, bytes))
            case .window(_, _, let name, let n):
                guard writes.contains(name) else { return (nil, nil, .badRequest("window for stream \"\(name)\", which request \(id) does not send that way")) }
                let credit = (s.credit[name] ?? 0) + n
                guard credit <= StreamWindow.maximum else {
                    return (nil, nil, .badRequest("window overflow: a grant of \(n) bytes takes the window of \(name) over \(StreamWindow.maximum)"))
                }
                s.credit[name] = credit
                return (nil, nil, nil)
            case .eof(_, _, let name):
                guard reads.contains(name) else { return (nil, nil, .badRequest("eof for stream \"\(name)\", which request \(id) does not send that way")) }
                return deliver(&s, .eof(name))
            }
        }
        if case .window = m { wakeWriters() }
        waiter?.resume(returning: chunk)
        return error
    }

    private func deliver(_ s: inout State, _ chunk: Chunk) -> (CheckedContinuation<Chunk?, Never>?, Chunk?, Status?) {
        if let w = s.readWaiter {
            s.readWaiter = nil
            if case .data(let name, let bytes) = chunk { consumed(&s, name, bytes.count) }
            return (w, chunk, nil)
        }
        s.inbox.append(chunk)
        return (nil, nil, nil)
    }

    /// The request's final response came: what was received can still be read.
    public func finish(_ result: Result<JSON, Status>) {
        let (reader, waiters) = state.withLock { s -> (CheckedContinuation<Chunk?, Never>?, [CheckedContinuation<Result<JSON, Status>, Never>]) in
            guard s.result == nil else { return (nil, []) }
            s.result = result
            s.ended = true
            if s.failure == nil, case .failure(let f) = result { s.failure = f }
            defer { s.readWaiter = nil; s.resultWaiters = [] }
            return (s.readWaiter, s.resultWaiters)
        }
        reader?.resume(returning: nil)
        for w in waiters { w.resume(returning: result) }
        wakeWriters()
    }

    /// Ends the stream with `status` (writes fail with it; reads end).
    public func fail(_ status: Status) {
        state.withLock { if $0.failure == nil { $0.failure = status } }
        finish(.failure(status))
    }

    /// Why the stream failed, if it did.
    public var failure: Status? { state.withLock { $0.failure } }

    /// The request's final response (exec: `{"exitCode": N}`).
    public func result() async -> Result<JSON, Status> {
        await withCheckedContinuation { c in
            let r = state.withLock { s -> Result<JSON, Status>? in
                if let r = s.result { return r }
                s.resultWaiters.append(c)
                return nil
            }
            if let r { c.resume(returning: r) }
        }
    }
}
