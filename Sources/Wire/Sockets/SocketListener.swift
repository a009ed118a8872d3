#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// A listening socket on an event loop: accepts every pending connection and hands each,
/// as a `FramedConnection` not yet started, to `onAccept`.
///
/// Ownership: owns the listening descriptor and closes it on `stop` or when the loop stops.
public final class SocketListener: @unchecked Sendable, LoopChannel {
    let fd: Int32
    public let loop: EventLoop
    public let address: HostPort
    let limits: FrameLimits
    private let onAccept: @Sendable (FramedConnection) -> Void
    private let onError: @Sendable (Errno) -> Void
    private var open = true

    /// Binds `address` (port 0: the kernel picks; `address` then says which).
    public init(address requested: HostPort, loop: EventLoop, limits: FrameLimits,
                onAccept: @escaping @Sendable (FramedConnection) -> Void,
                onError: @escaping @Sendable (Errno) -> Void = { _ in }) throws(Errno) {
        fd = try Socket.listen(on: requested)
        self.loop = loop
        self.limits = limits
        self.onAccept = onAccept
        self.onError = onError
        let bound = Socket.localAddress(fd)
        address = HostPort(host: requested.host, port: bound?.port ?? requested.port)
        do {
            try loop.register(self, events: UInt32(1))
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    func handleEvents(_ events: UInt32) {
        while open {
            let conn: Int32?
            do {
                conn = try Socket.accept(fd)
            } catch {
                // EMFILE and friends: report, stop watching for 100 ms (level-triggered
                // readiness would otherwise spin), then try again.
                onError(error)
                loop.modify(fd, events: 0)
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { [self] in
                    loop.execute { if self.open { self.loop.modify(self.fd, events: 1) } }
                }
                return
            }
            guard let cfd = conn else { return }
            Socket.enableKeepalive(cfd)
            onAccept(FramedConnection(fd: cfd, loop: loop, limits: limits))
        }
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
    }

    func loopStopped() { close() }
}
