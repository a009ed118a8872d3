#if canImport(Glibc)
import Glibc
#endif
import Wire

/// A raw TCP peer for sending arbitrary bytes. Used by one thread at a time (tests hand it
/// between threads, never share it).
public final class RawPeer: @unchecked Sendable {
    public let fd: Int32
    public var decoder = FrameDecoder()

    public init(_ hp: HostPort) throws {
        fd = try Socket.connect(to: hp, timeoutMs: 2000)
        var flags = fcntl(fd, F_GETFL)
        flags &= ~O_NONBLOCK
        _ = fcntl(fd, F_SETFL, flags)
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Connects and completes the handshake with `token` (as node `node` when given).
    public convenience init(_ address: HostPort, token: String, node: String? = nil) throws {
        try self.init(address)
        send(Hello(token: token, nodeName: node, client: "raw").json)
        guard next()?["type"] == "welcome" else { throw Status.unauthorized("handshake failed") }
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
    public func sendJSON(_ j: JSON) { send(Frame.encode(j.bytes())) }
    public func send(_ j: JSON) { sendJSON(j) }
    public func hello(_ token: String, versions: [Int] = [1], maxFrameBytes: Int? = nil) {
        sendJSON(Hello(versions: versions, token: token, client: "raw", maxFrameBytes: maxFrameBytes).json)
    }

    /// Says hello and reads the answer; true for a `welcome`.
    public func handshake(_ token: String, maxFrameBytes: Int? = nil) -> Bool {
        hello(token, maxFrameBytes: maxFrameBytes)
        return next()?["type"] == "welcome"
    }

    /// Sends a request frame (`type`, `id` and the members given).
    public func request(_ id: Int, _ members: JSON) {
        var o = members.objectValue ?? JSONObject()
        o["type"] = "request"
        o["id"] = .int(id)
        sendJSON(.object(o))
    }

    /// Sends a request and returns its response.
    public func call(_ id: Int, _ members: JSON) -> JSON? {
        request(id, members)
        return response(id)
    }

    /// Frames until the `response` to request `id` (nil if the connection closes first).
    /// Responses to other ids met on the way are kept for their own `response` call
    /// (answers may come in any order).
    public func response(_ id: Int) -> JSON? {
        if let f = early.removeValue(forKey: id) { return f }
        while let f = next() {
            guard f["type"] == "response", let got = f["id"].intValue else { continue }
            if got == id { return f }
            early[got] = f
        }
        return nil
    }

    private var early: [Int: JSON] = [:]

    /// Shrinks the kernel's receive buffer (set before the peer falls behind on purpose).
    public func setReceiveBuffer(_ bytes: Int32) {
        var v = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The largest frame body received so far.
    public private(set) var largestFrame = 0

    /// The next frame as JSON, or nil once the server has closed the connection.
    public func next() -> JSON? { nextFrame() }

    /// The next frame, `.null` once closed: easier to test against.
    public func nextOrNull() -> JSON { nextFrame() ?? .null }

    private func nextFrame() -> JSON? {
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            if let f = try? decoder.nextFrame() { return try? JSON.parse(f) }
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { return nil }
            decoder.append(buf[0..<n])
        }
    }

    /// True once the server has closed (reads EOF).
    public func closedByServer() -> Bool {
        while let _ = next() {}
        return true
    }
}
