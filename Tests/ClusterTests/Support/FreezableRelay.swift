import Foundation
import Synchronization
import Wire

/// A loopback TCP relay in front of a server, for half-dead links: once armed, the first
/// connection whose client sends bytes containing `trigger` is frozen (nothing more is
/// forwarded either way, the sockets stay open, as a link that silently stopped). Other
/// and later connections are relayed normally, so a client that redials gets through.
///
/// Thread-safety: any thread; one thread per direction of each connection.
final class FreezableRelay: @unchecked Sendable {
    let address: HostPort
    private let listenFD: Int32
    private let target: HostPort
    private struct State {
        var trigger: [UInt8]?
        var frozenAt: Double?
        var frozen: Set<Int> = []
        var fds: [Int32] = []
        var stopped = false
        var nextID = 0
    }
    private let state = Mutex(State())

    init(to target: HostPort) throws {
        self.target = target
        listenFD = try Socket.listen(on: HostPort(host: "127.0.0.1", port: 0))
        address = HostPort(host: "127.0.0.1", port: Socket.localAddress(listenFD)?.port ?? 0)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Freezes the next connection that sends `trigger`.
    func freezeOnNext(_ trigger: String) { state.withLock { $0.trigger = Array(trigger.utf8) } }

    /// When the freeze happened (seconds since 1970), if it has.
    var frozenAt: Double? { state.withLock { $0.frozenAt } }

    func stop() {
        let fds = state.withLock { s -> [Int32] in
            s.stopped = true
            defer { s.fds = [] }
            return s.fds
        }
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
    }

    private var stopped: Bool { state.withLock { $0.stopped } }

    private func acceptLoop() {
        while !stopped {
            var p = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let c = accept(listenFD, nil, nil)
            guard c >= 0 else { continue }
            guard let s = try? Socket.connect(to: target, timeoutMs: 2000) else { close(c); continue }
            let id = state.withLock { st -> Int in
                st.fds += [c, s]
                st.nextID += 1
                return st.nextID
            }
            Thread.detachNewThread { [self] in pump(from: c, to: s, id: id, watch: true) }
            Thread.detachNewThread { [self] in pump(from: s, to: c, id: id, watch: false) }
        }
    }

    private func isFrozen(_ id: Int) -> Bool { state.withLock { $0.frozen.contains(id) } }

    /// Copies bytes until either side closes; a frozen connection just stops copying.
    private func pump(from: Int32, to: Int32, id: Int, watch: Bool) {
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        while !stopped {
            if isFrozen(id) { usleep(50_000); continue }
            var p = pollfd(fd: from, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let n = buf.withUnsafeMutableBytes { recv(from, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n <= 0 { break }
            let chunk = Array(buf[0..<n])
            if watch && freezes(id, chunk) { continue }
            if isFrozen(id) { continue }
            if !sendAll(to, chunk) { break }
        }
        if !isFrozen(id) { shutdown(to, Int32(SHUT_WR)) }
    }

    private func freezes(_ id: Int, _ chunk: [UInt8]) -> Bool {
        state.withLock { s in
            guard let t = s.trigger, Self.contains(chunk, t) else { return false }
            s.trigger = nil
            s.frozen.insert(id)
            s.frozenAt = Date().timeIntervalSince1970
            return true
        }
    }

    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= hay.count else { return false }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<i + needle.count]) == needle { return true }
        return false
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && (errno == EAGAIN || errno == EINTR) {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 100)
                continue
            }
            if n <= 0 { return false }
            off += n
        }
        return true
    }
}
