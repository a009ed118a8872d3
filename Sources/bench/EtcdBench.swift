import ArgumentParser
import Foundation

/// The same create load against etcd's HTTP/JSON gateway (`POST /v3/kv/put`), one
/// keep-alive connection per client, raw sockets.
struct EtcdBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "etcd", abstract: "Puts/s and latency against etcd.")
    @Option(help: "etcd client HOST:PORT") var endpoint = "127.0.0.1:2379"
    @Option var clients = 16
    @Option var duration = 5.0
    @Option var size = 300

    func run() async throws {
        guard let hp = HostPort(endpoint) else { throw ValidationError("bad --endpoint") }
        let deadline = now() + duration
        let start = now()
        let results = Locked<Latencies>(Latencies())
        let errors = Locked<[String]>([])
        let threads = (0..<clients).map { c in
            Thread {
                do {
                    let lat = try Self.worker(hp, client: c, deadline: deadline, size: size)
                    results.withLock { $0.add(lat) }
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
        }
        threads.forEach { $0.start() }
        while threads.contains(where: { !$0.isFinished }) { try await Task.sleep(for: .milliseconds(50)) }
        if let e = errors.value.first { throw ValidationError("etcd worker failed: \(e)") }
        let all = results.value
        let elapsed = now() - start
        print(String(format: "etcd-puts clients=%d ops=%d ops_per_s=%.0f %@", clients, all.samples.count, Double(all.samples.count) / elapsed, all.summary))
    }

    static func worker(_ hp: HostPort, client: Int, deadline: Double, size: Int) throws -> Latencies {
        let fd = try Socket.connect(to: hp, timeoutMs: 5000)
        defer { close(fd) }
        var flags = fcntl(fd, F_GETFL)
        flags &= ~O_NONBLOCK
        _ = fcntl(fd, F_SETFL, flags)
        var lat = Latencies()
        var i = 0
        var buf = [UInt8](repeating: 0, count: 65536)
        while now() < deadline {
            let key = Data("/registry/configmaps/default/e-\(client)-\(i)".utf8).base64EncodedString()
            let value = Data(payloadObject(name: "e-\(client)-\(i)", size: size)).base64EncodedString()
            let body = #"{"key":"\#(key)","value":"\#(value)"}"#
            let req = "POST /v3/kv/put HTTP/1.1\r\nHost: \(hp)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let t0 = now()
            try writeAll(fd, Array(req.utf8))
            try readResponse(fd, &buf)
            lat.add(now() - t0)
            i += 1
        }
        return lat
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + off, $0.count - off, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw Errno(errno, call: "send") }
            off += n
        }
    }

    /// Reads one HTTP response (headers plus Content-Length body) and checks for 200.
    static func readResponse(_ fd: Int32, _ buf: inout [UInt8]) throws {
        var data: [UInt8] = []
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { throw Errno(errno, call: "recv") }
            data += buf[0..<n]
            guard let end = data.firstRange(of: Array("\r\n\r\n".utf8)) else { continue }
            let head = String(decoding: data[..<end.lowerBound], as: UTF8.self)
            guard head.hasPrefix("HTTP/1.1 200") else { throw ValidationError("etcd answered: \(head.prefix(60))") }
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            while data.count - end.upperBound < length {
                let m = recv(fd, &buf, buf.count, 0)
                if m <= 0 { throw Errno(errno, call: "recv") }
                data += buf[0..<m]
            }
            return
        }
    }
}

/// A mutex-guarded value shared by threads.
final class Locked<T: Sendable>: @unchecked Sendable {
    private var value_: T
    private let lock = NSLock()
    init(_ v: T) { value_ = v }
    func withLock<R>(_ body: (inout T) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value_)
    }
    var value: T { withLock { $0 } }
}
