#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim
import Synchronization

/// A connected socket carrying Wire frames, driven by an `EventLoop`.
///
/// Ownership: the connection owns `fd` from `start` on and closes it exactly once, on the
/// loop thread. Reads happen on the loop thread; writes happen under the connection's lock,
/// from the loop or from a sender finding nothing queued. Thread-safety: `send`, `close`
/// and the counters may be used from any thread; `onFrame`, `onFrameError` and `onClose` run on the loop thread, in order.
public final class FramedConnection: @unchecked Sendable, LoopChannel {
    public let fd: Int32
    public let loop: EventLoop
    public let peer: String
    /// Loop thread only.
    private var decoder: FrameDecoder

    /// Called with each whole frame body, on the loop thread.
    public var onFrame: @Sendable ([UInt8]) -> Void = { _ in }
    /// Called once when the byte stream breaks framing rules; the connection then sends an
    /// error frame and closes. Default: just that.
    public var onFrameError: @Sendable (FrameError) -> Void = { _ in }
    /// Called once when the connection is closed, with the reason.
    public var onClose: @Sendable (String) -> Void = { _ in }

    private struct Outbound {
        var buffer: [UInt8] = []
        var offset = 0
        var flushScheduled = false
        var writeArmed = false
        var closing: String? = nil
        var closed = false
        /// Monotonic time since when queued output has made no progress (nil: none queued).
        var stalledSince: Double? = nil
        /// Tasks waiting for the queue to drain below a size (`waitForOutput`).
        var drainWaiters: [(limit: Int, continuation: CheckedContinuation<Bool, Never>)] = []

        var pending: Int { buffer.count - offset }

        /// Resumes the waiters the queue is now small enough for (all of them, with false, once closed).
        mutating func takeSatisfiedWaiters() -> [(CheckedContinuation<Bool, Never>, Bool)] {
            if drainWaiters.isEmpty { return [] }
            let gone = closed || closing != nil
            let pending = self.pending
            var ready: [(CheckedContinuation<Bool, Never>, Bool)] = []
            var waiting = drainWaiters
            waiting.removeAll { w in
                if gone { ready.append((w.continuation, false)); return true }
                if pending < w.limit { ready.append((w.continuation, true)); return true }
                return false
            }
            drainWaiters = waiting
            return ready
        }
    }

    private let out = Mutex(Outbound())
    private let closedFlag = Mutex(false)

    /// True if this connection holds a `DescriptorBudget` slot, returned when it closes.
    let budgeted: Bool

    /// `budgeted`: the creator took a `DescriptorBudget` slot for `fd`; it is given back
    /// when the descriptor is closed.
    public init(fd: Int32, loop: EventLoop, limits: FrameLimits = .default, budgeted: Bool = false) {
        self.fd = fd
        self.budgeted = budgeted
        self.loop = loop
        self.decoder = FrameDecoder(limits: limits)
        self.peer = Socket.peerAddress(fd)?.description ?? "unknown"
    }

    /// Starts reading. Set the callbacks before this.
    public func start() throws(Errno) {
        try loop.register(self, events: UInt32(SKIFF_EPOLLIN | SKIFF_EPOLLRDHUP))
    }

    public var isClosed: Bool { out.withLock { $0.closed || $0.closing != nil } }

    /// Bytes queued for sending but not yet taken by the socket.
    public var pendingOutputBytes: Int { out.withLock { $0.buffer.count - $0.offset } }

    /// Raises (or lowers) the largest frame accepted from now on. Loop thread only: a server
    /// accepts only small frames until the peer has said hello.
    public func setMaxFrameBytes(_ n: Int) {
        decoder.limits.maxFrameBytes = n
    }

    /// True when output has been queued without the peer taking a single byte for longer
    /// than `seconds` (a peer with a zero window, or gone without a reset).
    public func outputStalled(longerThan seconds: Double, now: Double = Monotonic.seconds()) -> Bool {
        out.withLock { o in o.stalledSince.map { now - $0 > seconds } ?? false }
    }

    /// Waits until fewer than `bytes` are queued for sending: a producer of large replies
    /// calls this first, so a peer that does not read gets no more work done for it.
    /// Returns false if the connection closes first. Any thread.
    public func waitForOutput(below bytes: Int) async -> Bool {
        await withCheckedContinuation { c in
            let now = out.withLock { o -> Bool? in
                if o.closed || o.closing != nil { return false }
                if o.pending < bytes { return true }
                o.drainWaiters.append((bytes, c))
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }

    /// Sends bytes (one or more whole frames). When nothing is queued they are written at
    /// once from the calling thread, under the connection's lock (saving the loop a wake-up
    /// per response); whatever the socket does not take is queued for the loop thread.
    /// Returns false if the connection is closed.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        let schedule = out.withLock { o -> Bool? in
            if o.closed || o.closing != nil { return nil }
            var written = 0
            if o.offset == o.buffer.count && !o.writeArmed && !o.flushScheduled {
                let n = bytes.withUnsafeBytes { b in Glibc.send(fd, b.baseAddress, b.count, Int32(MSG_NOSIGNAL)) }
                if n == bytes.count { return false }
                written = max(0, n)
            }
            if written == 0 { o.buffer.append(contentsOf: bytes) } else { o.buffer.append(contentsOf: bytes[written...]) }
            if o.stalledSince == nil || written > 0 { o.stalledSince = Monotonic.seconds() }
            if o.flushScheduled || o.writeArmed { return false }
            o.flushScheduled = true
            return true
        }
        guard let schedule else { return false }
        if schedule { loop.scheduleFlush(self) }
        return true
    }

    /// Sends `bytes` (if any), then closes once they are written (or at once if the peer
    /// is gone). Safe from any thread.
    public func close(reason: String, finalBytes: [UInt8]? = nil) {
        let schedule = out.withLock { o -> Bool in
            if o.closed || o.closing != nil { return false }
            if let b = finalBytes { o.buffer.append(contentsOf: b) }
            o.closing = reason
            if o.flushScheduled || o.writeArmed { return false }
            o.flushScheduled = true
            return true
        }
        if schedule { loop.scheduleFlush(self) }
    }

    // MARK: loop thread

    func handleEvents(_ events: UInt32) {
        if events & UInt32(SKIFF_EPOLLOUT) != 0 { flushFromLoop() }
        // The flush may have closed the descriptor; its number may already be reused.
        if out.withLock({ $0.closed }) { return }
        if events & UInt32(SKIFF_EPOLLIN | SKIFF_EPOLLRDHUP | SKIFF_EPOLLHUP | SKIFF_EPOLLERR) != 0 {
            if readingStopped {
                // Only waiting to flush an error frame: a hang-up or error ends it.
                if events & UInt32(SKIFF_EPOLLHUP | SKIFF_EPOLLERR) != 0 { finishClose("peer went away") }
                return
            }
            readAvailable()
        }
    }

    /// Set after a framing error: nothing more is read, the error frame is flushed, then
    /// the connection closes. Loop thread only.
    private var readingStopped = false

    /// At most this much is read per readiness event, so one fast sender cannot starve
    /// the other connections on the loop (level-triggered epoll comes back for the rest).
    static let maxReadPerEvent = 1 << 20

    func loopStopped() { finishClose("event loop stopped") }

    private func readAvailable() {
        let buf = loop.readBuffer
        var frames: [[UInt8]] = []
        var eof = false
        var failure: String? = nil
        var total = 0
        while total < Self.maxReadPerEvent {
            let n = read(fd, buf.baseAddress, buf.count)
            if n > 0 {
                decoder.append(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
                total += n
                if n < buf.count { break }
                continue
            }
            if n == 0 { eof = true; break }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { break }
            failure = Errno(e, call: "read").description
            break
        }
        do {
            while let f = try decoder.nextFrame() { frames.append(f) }
        } catch {
            for f in frames where !isClosed { onFrame(f) }
            onFrameError(error)
            // Stop reading (the stream cannot be resynchronised), send the error, close.
            readingStopped = true
            decoder = FrameDecoder(limits: decoder.limits)
            loop.modify(fd, events: UInt32(SKIFF_EPOLLOUT))
            let status = Status.badRequest("protocol error: \(error.description)")
            close(reason: "protocol error: \(error.description)", finalBytes: Message.error(status).frame)
            return
        }
        for f in frames {
            if out.withLock({ $0.closed }) { return }
            onFrame(f)
        }
        if let failure { finishClose(failure) } else if eof { finishClose("peer closed the connection") }
    }

    /// Writes as much queued output as the socket takes; arms EPOLLOUT for the rest.
    func flushFromLoop() {
        var finish: String? = nil
        var wake: [(CheckedContinuation<Bool, Never>, Bool)] = []
        defer { for (c, v) in wake { c.resume(returning: v) } }
        out.withLock { o in
            o.flushScheduled = false
            if o.closed { return }
            defer { wake = o.takeSatisfiedWaiters() }
            let before = o.offset
            defer {
                if o.pending == 0 { o.stalledSince = nil } else if o.offset != before { o.stalledSince = Monotonic.seconds() }
            }
            while o.offset < o.buffer.count {
                let n = o.buffer.withUnsafeBytes { b in
                    Glibc.send(fd, b.baseAddress! + o.offset, b.count - o.offset, Int32(MSG_NOSIGNAL))
                }
                if n > 0 { o.offset += n; continue }
                let e = errno
                if n < 0 && e == EINTR { continue }
                if n < 0 && (e == EAGAIN || e == EWOULDBLOCK) { break }
                finish = o.closing ?? "write failed: \(Errno(e, call: "write"))"
                o.buffer = []
                o.offset = 0
                return
            }
            if o.offset == o.buffer.count {
                o.buffer.removeAll(keepingCapacity: o.buffer.capacity <= 1 << 20)
                o.offset = 0
                if o.writeArmed {
                    o.writeArmed = false
                    if !readingStopped { loop.modify(fd, events: UInt32(SKIFF_EPOLLIN | SKIFF_EPOLLRDHUP)) }
                }
                if let c = o.closing { finish = c }
            } else {
                if o.offset > 1 << 16 && o.offset > o.buffer.count / 2 {
                    o.buffer.removeFirst(o.offset)
                    o.offset = 0
                }
                if !o.writeArmed {
                    o.writeArmed = true
                    loop.modify(fd, events: readingStopped ? UInt32(SKIFF_EPOLLOUT) : UInt32(SKIFF_EPOLLIN | SKIFF_EPOLLOUT | SKIFF_EPOLLRDHUP))
                }
            }
        }
        if let finish { finishClose(finish) }
    }

    /// Closes the descriptor now (loop thread) and reports it once.
    func finishClose(_ reason: String) {
        let (first, wake) = out.withLock { o -> (Bool, [(CheckedContinuation<Bool, Never>, Bool)]) in
            if o.closed { return (false, []) }
            o.closed = true
            o.buffer = []
            o.offset = 0
            o.stalledSince = nil
            return (true, o.takeSatisfiedWaiters())
        }
        for (c, v) in wake { c.resume(returning: v) }
        guard first else { return }
        loop.deregister(fd)
        Glibc.close(fd)
        if budgeted { DescriptorBudget.give() }
        let report = onClose
        // Break the cycles owners build through these callbacks, and free the buffer.
        onFrame = { _ in }
        onFrameError = { _ in }
        onClose = { _ in }
        decoder = FrameDecoder(limits: decoder.limits)
        report(reason)
    }

    /// Closes at once without flushing (loop thread or not).
    public func abort(reason: String) {
        loop.execute { [self] in finishClose(reason) }
    }
}
