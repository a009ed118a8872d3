/// Why a byte stream stopped being a valid frame stream. After any of these the connection
/// is closed: the stream cannot be resynchronised.
public enum FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    case zeroLength
    case tooLarge(length: Int, limit: Int)
    case invalidUTF8
    case invalidJSON(String)
    case notAnObject

    public var description: String {
        switch self {
        case .zeroLength: return "frame length is zero"
        case .tooLarge(let n, let limit): return "frame length \(n) exceeds the limit of \(limit) bytes"
        case .invalidUTF8: return "frame body is not valid UTF-8"
        case .invalidJSON(let m): return "frame body is not valid JSON: \(m)"
        case .notAnObject: return "frame body is not a JSON object"
        }
    }
}

/// Cuts whole frames off a byte stream: a 4-byte big-endian length N, then N bytes of body.
///
/// Not thread-safe: one decoder per connection, used by the thread that reads it. It never
/// consumes bytes until a whole frame is there, so any fragmentation of the input works.
public struct FrameDecoder: Sendable {
    /// Mutable so a server can accept small frames only until the peer has authenticated.
    public var limits: FrameLimits
    private var buffer: [UInt8] = []
    private var start = 0

    public init(limits: FrameLimits = .default) { self.limits = limits }

    /// Bytes received but not yet part of a returned frame.
    public var bufferedCount: Int { buffer.count - start }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole frame body, `nil` when more bytes are needed. Throws on a length that
    /// can never be valid; the length is checked as soon as its 4 bytes are in, so a peer
    /// announcing a huge frame is refused before it sends it.
    public mutating func nextFrame() throws(FrameError) -> [UInt8]? {
        let available = buffer.count - start
        guard available >= 4 else { compact(); return nil }
        let n = Int(buffer[start]) << 24 | Int(buffer[start + 1]) << 16 | Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
        if n == 0 { throw .zeroLength }
        if n > limits.maxFrameBytes { throw .tooLarge(length: n, limit: limits.maxFrameBytes) }
        guard available >= 4 + n else { compact(); return nil }
        let body = Array(buffer[(start + 4)..<(start + 4 + n)])
        start += 4 + n
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            start = 0
        }
        return body
    }

    /// Drops consumed bytes once they are a large share of the buffer.
    private mutating func compact() {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
    }
}

/// Frame-level helpers shared by every peer.
public enum Frame {
    /// Prefixes `body` with its 4-byte big-endian length.
    public static func encode(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 4)
        appendHeader(length: body.count, to: &out)
        out.append(contentsOf: body)
        return out
    }

    public static func appendHeader(length n: Int, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: n >> 24))
        out.append(UInt8(truncatingIfNeeded: n >> 16))
        out.append(UInt8(truncatingIfNeeded: n >> 8))
        out.append(UInt8(truncatingIfNeeded: n))
    }

    /// Parses a frame body into its JSON object, telling invalid UTF-8 apart from invalid JSON.
    public static func parseBody(_ body: [UInt8]) throws(FrameError) -> JSONObject {
        guard validateUTF8(body) else { throw .invalidUTF8 }
        let json: JSON
        do { json = try JSON.parse(body) } catch { throw .invalidJSON(error.description) }
        guard case .object(let o) = json else { throw .notAnObject }
        return o
    }

    public static func validateUTF8(_ bytes: [UInt8]) -> Bool {
        // ASCII fast path: almost every frame is pure ASCII.
        var ascii = true
        bytes.withUnsafeBufferPointer { b in
            for c in b where c >= 0x80 { ascii = false; break }
        }
        if ascii { return true }
        var it = bytes.makeIterator()
        var utf8 = UTF8()
        while true {
            switch utf8.decode(&it) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
