#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Wire

/// A small HTTP server on a kernel-picked loopback port, over raw sockets, for probe and hook
/// tests. It answers by path: `/ok` 200 "fine", `/fail` 500, `/redirect` 302 to another host,
/// `/hang` never (the connection stays open until `stop`), `/big` and `/chunked` a 200 whose
/// connection stays open, anything else 404. It records each
/// request's head as received.
final class TinyHTTPServer: Sendable {
    let port: Int
    private let listenFD: Int32
    private struct State {
        var requests: [String] = []
        var open: [Int32] = []
        var stopped = false
    }
    private let state = Mutex(State())
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        listenFD = try Socket.listen(on: HostPort(host: "127.0.0.1", port: 0))
        port = Int(Socket.localAddress(listenFD)!.port)
        Thread.detachNewThread { [self] in serve() }
    }

    var requests: [String] { state.withLock { $0.requests } }

    /// Runs `body` with a server, stopping it afterwards (also when `body` throws).
    static func with(_ body: (TinyHTTPServer) async throws -> Void) async throws {
        let server = try TinyHTTPServer()
        defer { server.stop() }
        try await body(server)
    }

    func stop() {
        let fds = state.withLock { s -> [Int32] in
            s.stopped = true
            defer { s.open = [] }
            return s.open
        }
        done.wait()
        for fd in fds { close(fd) }
        close(listenFD)
    }

    private func serve() {
        while !state.withLock({ $0.stopped }) {
            var pfd = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 20) > 0 else { continue }
            let fd = accept(listenFD, nil, nil)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            answer(fd)
        }
        done.signal()
    }

    private func answer(_ fd: Int32) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        let head = String(decoding: data, as: UTF8.self)
        state.withLock { $0.requests.append(head) }
        let path = head.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        let response: String
        switch path {
        case "/ok": response = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfine"
        case "/fail": response = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops"
        case "/redirect": response = "HTTP/1.1 302 Found\r\nLocation: http://elsewhere.invalid/\r\nContent-Length: 0\r\n\r\n"
        case "/hang":
            state.withLock { $0.open.append(fd) }
            return
        case "/big", "/chunked":
            // A body that never ends by a close: 20 KiB without a length, or a chunked one.
            let reply = path == "/big" ? "HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 20 * 1024)
                : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nfine\r\n0\r\n\r\n"
            _ = Array(reply.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            state.withLock { $0.open.append(fd) }
            return
        default: response = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        }
        _ = Array(response.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        close(fd)
    }

    /// A loopback port nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let fd = try Socket.listen(on: HostPort(host: "127.0.0.1", port: 0))
        let port = Int(Socket.localAddress(fd)!.port)
        close(fd)
        return port
    }
}
