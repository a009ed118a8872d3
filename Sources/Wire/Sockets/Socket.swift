#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim

/// Creating listening and connected TCP sockets. Every descriptor returned here is
/// non-blocking and close-on-exec; its owner closes it exactly once.
public enum Socket {
    /// A listening socket with SO_REUSEADDR, so a restarted server rebinds at once.
    /// Port 0 lets the kernel pick; `localAddress(fd)` says which it picked.
    public static func listen(on hp: HostPort, backlog: Int32 = 4096) throws(Errno) -> Int32 {
        let addr = try ResolvedAddress.resolve(hp, passive: true)
        let fd = try systemCall("socket") { socket(addr.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do throws(Errno) {
            var one: Int32 = 1
            try systemCall("setsockopt(SO_REUSEADDR)") { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
            let rc = addr.withSockaddr { sa, len in bind(fd, sa, len) }
            if rc != 0 { throw Errno(errno, call: "bind(\(hp))") }
            try systemCall("listen") { Glibc.listen(fd, backlog) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Connects with a timeout; the returned socket is non-blocking with TCP_NODELAY set.
    /// Blocks the calling thread for at most `timeoutMs`.
    public static func connect(to hp: HostPort, timeoutMs: Int32) throws(Errno) -> Int32 {
        let addr = try ResolvedAddress.resolve(hp, passive: false)
        let fd = try systemCall("socket") { socket(addr.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do throws(Errno) {
            let rc = addr.withSockaddr { sa, len in Glibc.connect(fd, sa, len) }
            if rc != 0 {
                let e = errno
                guard e == EINPROGRESS || e == EINTR else { throw Errno(e, call: "connect(\(hp))") }
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let n = try systemCall("poll") { poll(&pfd, 1, timeoutMs) }
                if n == 0 { throw Errno(ETIMEDOUT, call: "connect(\(hp))") }
                var soErr: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                try systemCall("getsockopt(SO_ERROR)") { getsockopt(fd, SOL_SOCKET, SO_ERROR, &soErr, &len) }
                if soErr != 0 { throw Errno(soErr, call: "connect(\(hp))") }
            }
            setNoDelay(fd)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Accepts one pending connection; nil when none is pending.
    static func accept(_ listenFD: Int32) throws(Errno) -> Int32? {
        while true {
            let fd = skiff_accept(listenFD)
            if fd >= 0 {
                setNoDelay(fd)
                return fd
            }
            let e = errno
            if e == EINTR || e == ECONNABORTED { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return nil }
            throw Errno(e, call: "accept4")
        }
    }

    public static func localAddress(_ fd: Int32) -> HostPort? { SocketNames.name(of: fd, peer: false) }
    public static func peerAddress(_ fd: Int32) -> HostPort? { SocketNames.name(of: fd, peer: true) }
}

extension Socket {
    /// TCP keepalive so a peer that vanished without a FIN (host down, link cut) is noticed
    /// within about a minute even on an idle connection.
    public static func enableKeepalive(_ fd: Int32, idleSeconds: Int32 = 30, intervalSeconds: Int32 = 10, count: Int32 = 3) {
        var one: Int32 = 1
        var idle = idleSeconds, intvl = intervalSeconds, cnt = count
        let sz = socklen_t(MemoryLayout<Int32>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sz)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, &idle, sz)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, &intvl, sz)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, &cnt, sz)
    }
}
