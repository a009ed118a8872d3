import Foundation
import Wire

/// A raw, blocking Wire peer for tests that must send frames `Client` never would
/// (wrong JSON types, malformed responses). Reads time out after 5 s.
final class RawPeer: @unchecked Sendable {
    let fd: Int32
    var decoder = FrameDecoder()

    /// Connects and completes the handshake with `token` (as node `node` when given).
    init(_ address: HostPort, token: String, node: String? = nil) throws {
        fd = try Socket.connect(to: address, timeoutMs: 2000)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        send(Hello(token: token, nodeName: node, client: "raw").json)
        guard next()?["type"] == "welcome" else { throw Status.unauthorized("handshake failed") }
    }

    deinit { close(fd) }

    func send(_ j: JSON) {
        _ = Frame.encode(j.bytes()).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// The next frame, or nil on close or timeout.
    func next() -> JSON? {
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            if let f = try? decoder.nextFrame() { return try? JSON.parse(f) }
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { return nil }
            decoder.append(buf[0..<n])
        }
    }

    /// Sends a raw request body (members as given) with `id` and returns its response.
    func request(_ id: Int, _ members: JSON) -> JSON? {
        var o = members.objectValue ?? JSONObject()
        o["type"] = "request"
        o["id"] = .int(id)
        send(.object(o))
        while let f = next() {
            if f["type"] == "response" && f["id"] == .int(id) { return f }
        }
        return nil
    }
}
