#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Wire

/// One HTTP/1.1 GET over a raw socket, as Kubernetes' probe and lifecycle clients send it:
/// no keep-alive, redirects not followed, body read up to a cap. Blocking: run it off the
/// cooperative pool (`OffThread`).
struct HTTPGetClient: Sendable {
    var host: String
    var port: Int
    /// Path and query, starting with "/".
    var target: String
    /// Sent in order; a `Host`, `User-Agent` or `Accept` here replaces the default.
    var headers: [HTTPHeader]
    var userAgent: String
    var timeout: Double

    struct HTTPHeader: Sendable, Equatable {
        var name: String
        var value: String
    }

    enum Outcome: Sendable, Equatable {
        /// A response arrived: its status and the first `maxOutput` bytes of its body.
        case response(status: Int, body: [UInt8])
        /// Go's client error text, `Get "http://...": ...`.
        case failed(String)
    }

    /// `http://host:port/path` as Go prints the request's URL in errors.
    var url: String { "http://\(HostPort(host: host, port: UInt16(clamping: port)))\(target)" }

    func run() -> Outcome {
        let deadline = Monotonic.seconds() + timeout
        let fd: Int32
        switch TCPDial.connect(host: host, port: port, deadline: deadline) {
        case .success(let s): fd = s
        case .failure(let f): return .failed("Get \"\(url)\": " + (f.timedOut ? Self.headerTimeout : f.message))
        }
        defer { close(fd) }
        guard send(Array(request().utf8), on: fd, deadline: deadline) else {
            return .failed("Get \"\(url)\": " + (Monotonic.seconds() >= deadline ? Self.headerTimeout : "write tcp: broken pipe"))
        }
        return receive(on: fd, deadline: deadline)
    }

    static let headerTimeout = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
    static let bodyTimeout = "net/http: request canceled (Client.Timeout or context cancellation while reading body)"

    func request() -> String {
        var lines = ["GET \(target) HTTP/1.1"]
        let given = Set(headers.map { $0.name.lowercased() })
        if !given.contains("host") { lines.append("Host: \(HostPort(host: host, port: UInt16(clamping: port)))") }
        if !given.contains("user-agent") { lines.append("User-Agent: \(userAgent)") }
        if !given.contains("accept") { lines.append("Accept: */*") }
        lines += headers.map { "\($0.name): \($0.value)" }
        lines.append("Connection: close")
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }

    private func send(_ bytes: [UInt8], on fd: Int32, deadline: Double) -> Bool {
        var sent = 0
        while sent < bytes.count {
            guard TCPDial.wait(fd, for: Int32(POLLOUT), deadline: deadline) else { return false }
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return false
            }
            sent += n
        }
        return true
    }

    private func receive(on fd: Int32, deadline: Double) -> Outcome {
        var data: [UInt8] = []
        var head: HTTPResponseHead?
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if let h = head, h.bodyComplete(data, cap: ProbeDefaults.maxOutput) { break }
            guard TCPDial.wait(fd, for: Int32(POLLIN), deadline: deadline) else {
                return .failed("Get \"\(url)\": " + (head == nil ? Self.headerTimeout : Self.bodyTimeout))
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                if head != nil { break }
                return .failed("Get \"\(url)\": read tcp: \(TCPDial.goErrnoText(errno))")
            }
            if n == 0 {
                if head != nil { break }
                return .failed("Get \"\(url)\": EOF")
            }
            data += buffer[0..<n]
            if head == nil {
                switch HTTPResponseHead.parse(&data) {
                case .incomplete:
                    if data.count > 64 * 1024 { return .failed("Get \"\(url)\": net/http: server response headers exceeded 65536 bytes") }
                case .malformed(let why): return .failed("Get \"\(url)\": net/http: HTTP/1.x transport connection broken: \(why)")
                case .parsed(let h): head = h
                }
            }
        }
        guard let head else { return .failed("Get \"\(url)\": EOF") }
        return .response(status: head.status, body: Array(head.body(data).prefix(ProbeDefaults.maxOutput)))
    }
}

/// A response's status line and the headers that say where its body ends.
struct HTTPResponseHead: Equatable {
    var status: Int
    var contentLength: Int?
    var chunked: Bool

    enum Parse: Equatable {
        case incomplete
        case malformed(String)
        case parsed(HTTPResponseHead)
    }

    /// Parses the head at the start of `data` and removes it, leaving the body bytes.
    static func parse(_ data: inout [UInt8]) -> Parse {
        let terminator: [UInt8] = [13, 10, 13, 10]
        guard let end = data.firstRange(of: terminator) else { return .incomplete }
        let text = String(decoding: data[..<end.lowerBound], as: UTF8.self)
        data.removeSubrange(..<end.upperBound)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.first.map(String.init) ?? ""
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]), status >= 100 else {
            return .malformed("malformed HTTP response \"\(statusLine)\"")
        }
        var head = HTTPResponseHead(status: status, contentLength: nil, chunked: false)
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" {
                // As Go's client: a length that is no non-negative integer is a bad response.
                guard let n = Int(value), n >= 0 else { return .malformed("malformed Content-Length \"\(value.prefix(40))\"") }
                head.contentLength = n
            }
            if name == "transfer-encoding" && value.lowercased().contains("chunked") { head.chunked = true }
        }
        return .parsed(head)
    }

    /// True once enough body arrived: Content-Length bytes, a chunked body's last chunk, or the cap.
    func bodyComplete(_ body: [UInt8], cap: Int) -> Bool {
        if body.count >= cap { return true }
        if status == 204 || status == 304 || (100..<200).contains(status) { return true }
        if let contentLength { return body.count >= contentLength }
        if chunked { return body.suffix(5) == [48, 13, 10, 13, 10] }   // "0\r\n\r\n"
        return false   // until the server closes
    }

    /// The body's bytes (chunked framing removed).
    func body(_ raw: [UInt8]) -> [UInt8] {
        guard chunked else { return contentLength.map { Array(raw.prefix($0)) } ?? raw }
        var out: [UInt8] = []
        var rest = raw[...]
        while let lineEnd = rest.firstRange(of: [13, 10]) {
            let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            // A server's size may be anything up to Int.max: compare with what is left, never add.
            let stop = size > rest.endIndex - start ? rest.endIndex : start + size
            out += rest[start..<stop]
            rest = rest[min(rest.endIndex, stop + 2)...]
        }
        return out
    }
}
