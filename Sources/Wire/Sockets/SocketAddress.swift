#if canImport(Glibc)
import Glibc
#endif

/// `HOST:PORT` as users write it (`127.0.0.1:6443`, `localhost:0`, `[::1]:6443`).
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        var t = Substring(text)
        if t.hasPrefix("["), let close = t.firstIndex(of: "]") {
            host = String(t[t.index(after: t.startIndex)..<close])
            t = t[t.index(after: close)...]
            guard t.hasPrefix(":"), let p = UInt16(t.dropFirst()) else { return nil }
            port = p
            return
        }
        guard let colon = t.lastIndex(of: ":"), let p = UInt16(t[t.index(after: colon)...]) else { return nil }
        host = String(t[..<colon])
        if host.isEmpty { host = "0.0.0.0" }
        port = p
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A resolved socket address, ready for bind/connect.
struct ResolvedAddress {
    var storage = sockaddr_storage()
    var length: socklen_t = 0
    var family: Int32 = AF_INET

    /// Resolves with getaddrinfo (numeric addresses never touch DNS).
    static func resolve(_ hp: HostPort, passive: Bool) throws(Errno) -> ResolvedAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        if passive { hints.ai_flags = AI_PASSIVE }
        var res: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(hp.host, String(hp.port), &hints, &res)
        guard rc == 0, let first = res else {
            throw Errno(EINVAL, call: "getaddrinfo(\(hp.host)): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(res) }
        // Prefer IPv4 when both exist: loopback tests and most hosts use it.
        var pick = first.pointee
        var cur: UnsafeMutablePointer<addrinfo>? = first
        while let c = cur {
            if c.pointee.ai_family == AF_INET { pick = c.pointee; break }
            cur = c.pointee.ai_next
        }
        var out = ResolvedAddress()
        out.family = pick.ai_family
        out.length = pick.ai_addrlen
        withUnsafeMutableBytes(of: &out.storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: pick.ai_addr, count: Int(pick.ai_addrlen)))
        }
        return out
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}

enum SocketNames {
    /// The local or peer address of a socket as `HostPort`.
    static func name(of fd: Int32, peer: Bool) -> HostPort? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sp in
                peer ? getpeername(fd, sp, &len) : getsockname(fd, sp, &len)
            }
        }
        guard rc == 0 else { return nil }
        return hostPort(from: storage)
    }

    static func hostPort(from storage: sockaddr_storage) -> HostPort? {
        var s = storage
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(s.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &s) { p in
                p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &buf, socklen_t(buf.count))
                    return HostPort(host: cString(buf), port: UInt16(bigEndian: sin.pointee.sin_port))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &s) { p in
                p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &buf, socklen_t(buf.count))
                    return HostPort(host: cString(buf), port: UInt16(bigEndian: sin.pointee.sin6_port))
                }
            }
        default: return nil
        }
    }
}

/// A NUL-terminated C buffer as a String.
func cString(_ buf: [CChar]) -> String {
    String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
