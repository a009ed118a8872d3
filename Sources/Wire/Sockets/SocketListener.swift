#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// A listening socket on an event loop: accepts every pending connection and hands each,
/// as a `FramedConnection` not yet started, to `onAccept`; or, when `refusal` says so
/// (a connection cap) or the process's `DescriptorBudget` is spent, sends the refusal
/// bytes and closes it at once.
///
/// Out of descriptors (EMFILE/ENFILE), it frees a spare descriptor it keeps for this, uses
/// it to accept and close the waiting connections (so clients see a close, not a hang, and
/// the loop does not spin on a ready listener), and takes the spare back.
///
/// Ownership: owns the listening descriptor and the spare; closes them on `stop` or when
/// the loop stops.
public final class SocketListener: @unchecked Sendable, LoopChannel {
    let fd: Int32
    public let loop: EventLoop
    public let address: HostPort
    let limits: FrameLimits
    private let onAccept: @Sendable (FramedConnection) -> Void
    private let onError: @Sendable (Errno) -> Void
    private let refusal: @Sendable () -> [UInt8]?
    /// Sent to connections refused for want of descriptors.
    private let refusalWhenOut: [UInt8]
    private var open = true
    /// /dev/null held open to be given up when the process runs out of descriptors.
    private var spare: Int32

    /// Binds `address` (port 0: the kernel picks; `address` then says which). `refusal`
    /// returns nil to accept a new connection, or bytes to send it before closing it.
    public init(address requested: HostPort, loop: EventLoop, limits: FrameLimits,
                onAccept: @escaping @Sendable (FramedConnection) -> Void,
                onError: @escaping @Sendable (Errno) -> Void = { _ in },
                refusal: @escaping @Sendable () -> [UInt8]? = { nil },
                refusalWhenOut: [UInt8] = []) throws(Errno) {
        fd = try Socket.listen(on: requested)
        self.loop = loop
        self.limits = limits
        self.onAccept = onAccept
        self.onError = onError
        self.refusal = refusal
        self.refusalWhenOut = refusalWhenOut
        spare = Self.openSpare()
        let bound = Socket.localAddress(fd)
        address = HostPort(host: requested.host, port: bound?.port ?? requested.port)
        do {
            try loop.register(self, events: UInt32(1))
        } catch {
            Glibc.close(fd)
            if spare >= 0 { Glibc.close(spare) }
            throw error
        }
    }

    private static func openSpare() -> Int32 { Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC) }

    func handleEvents(_ events: UInt32) {
        while open {
            let conn: Int32?
            do {
                conn = try Socket.accept(fd)
            } catch {
                onError(error)
                if (error.code == EMFILE || error.code == ENFILE) && shedWithSpare() { return }
                // No spare to shed with (or another error): stop watching for 100 ms, as
                // level-triggered readiness would otherwise spin, then try again.
                loop.modify(fd, events: 0)
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { [self] in
                    loop.execute { if self.open { self.loop.modify(self.fd, events: 1) } }
                }
                return
            }
            guard let cfd = conn else { return }
            if let bytes = refusal() {
                Self.refuse(cfd, bytes)
                continue
            }
            // At the process's descriptor budget: refuse, before the kernel's limit is met.
            guard DescriptorBudget.take() else {
                onError(DescriptorBudget.exhausted("accept4"))
                Self.refuse(cfd, refusalWhenOut)
                continue
            }
            Socket.enableKeepalive(cfd)
            onAccept(FramedConnection(fd: cfd, loop: loop, limits: limits, budgeted: true))
        }
    }

    /// Gives up the spare descriptor, accepts and closes (with the refusal) every waiting
    /// connection with it, and takes the spare back. True when the backlog was drained and
    /// the spare is back; false when there was no spare, or the freed slot went elsewhere.
    private func shedWithSpare() -> Bool {
        guard spare >= 0 else {
            spare = Self.openSpare()
            return false
        }
        Glibc.close(spare)
        spare = -1
        var drained = false
        for _ in 0..<1024 {
            let got: Int32?
            do { got = try Socket.accept(fd) } catch { break }
            guard let cfd = got else { drained = true; break }
            Self.refuse(cfd, refusalWhenOut)
        }
        spare = Self.openSpare()
        return drained && spare >= 0
    }

    /// Best effort: the refusal bytes (one non-blocking send), drain what the peer already
    /// sent (so the close is a FIN that lets the bytes arrive, not a reset), close.
    static func refuse(_ cfd: Int32, _ bytes: [UInt8]) {
        if !bytes.isEmpty {
            _ = bytes.withUnsafeBytes { send(cfd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        }
        var sink = [UInt8](repeating: 0, count: 4096)
        _ = sink.withUnsafeMutableBytes { recv(cfd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        Glibc.close(cfd)
    }

    /// Stops accepting. Safe from any thread.
    public func stop() {
        loop.execute { [self] in self.close() }
    }

    private func close() {
        guard open else { return }
        open = false
        loop.deregister(fd)
        Glibc.close(fd)
        if spare >= 0 { Glibc.close(spare) }
        spare = -1
    }

    func loopStopped() { close() }
}
