import Foundation

/// Which side of the connection sent the request a stream frame belongs to: `client` (the
/// side that dialed) or `server`. Ids are chosen by each request's sender, so the same id
/// may name one stream each way; this member says which.
public enum StreamSide: String, Sendable {
    case client, server

    public var other: StreamSide { self == .client ? .server : .client }
}

/// The named byte streams a `logs` or `exec` request carries.
public enum StreamName {
    public static let stdin = "stdin"
    public static let stdout = "stdout"
    public static let stderr = "stderr"
    public static let all: Set<String> = [stdin, stdout, stderr]
}

/// Flow control (section 10 of docs/PROTOCOL.md): the sender of a stream may have at most
/// `initial` bytes of it in flight until the receiver grants more with `window` frames; the
/// receiver's outstanding grant may never exceed `maximum`.
public enum StreamWindow {
    public static let initial = 65536
    public static let maximum = 16 << 20
}

/// The frames of protocol version 2 that carry a stream, parsed.
public enum StreamMessage: Sendable, Equatable {
    /// Bytes of stream `stream` (base64 in the JSON `data` member).
    case data(id: Int, side: StreamSide, stream: String, bytes: [UInt8])
    /// The receiver of `stream` lets its sender send `bytes` more.
    case window(id: Int, side: StreamSide, stream: String, bytes: Int)
    /// The sender of `stream` will send no more of it (stdin's half-close).
    case eof(id: Int, side: StreamSide, stream: String)

    public static let types: Set<String> = ["data", "window", "eof"]

    public var id: Int {
        switch self { case .data(let id, _, _, _), .window(let id, _, _, _), .eof(let id, _, _): return id }
    }
    public var side: StreamSide {
        switch self { case .data(_, let s, _, _), .window(_, let s, _, _), .eof(_, let s, _): return s }
    }
    public var stream: String {
        switch self { case .data(_, _, let n, _), .window(_, _, let n, _), .eof(_, _, let n): return n }
    }

    /// The same frame for another request id and side (the hub relays between connections).
    public func readdressed(id: Int, side: StreamSide) -> StreamMessage {
        switch self {
        case .data(_, _, let n, let b): return .data(id: id, side: side, stream: n, bytes: b)
        case .window(_, _, let n, let b): return .window(id: id, side: side, stream: n, bytes: b)
        case .eof(_, _, let n): return .eof(id: id, side: side, stream: n)
        }
    }

    /// Reads a `data`, `window` or `eof` frame; anything malformed is a 400 naming the member.
    public init(json o: JSONObject) throws(Status) {
        let type = o["type"]?.stringValue ?? ""
        guard Self.types.contains(type) else { throw .badRequest("unknown message type \"\(Status.clip(type))\"") }
        guard let id = o["id"]?.intValue else { throw .badRequest("\(type).id must be an integer") }
        guard let s = o["side"]?.stringValue, let side = StreamSide(rawValue: s) else {
            throw .badRequest("\(type).side must be \"client\" or \"server\"")
        }
        guard let name = o["stream"]?.stringValue, StreamName.all.contains(name) else {
            throw .badRequest("\(type).stream must be \"stdin\", \"stdout\" or \"stderr\"")
        }
        switch type {
        case "data":
            guard let text = o["data"]?.stringValue else { throw .badRequest("data.data must be a base64 string") }
            guard let decoded = Data(base64Encoded: text) else { throw .badRequest("data.data is not valid base64") }
            self = .data(id: id, side: side, stream: name, bytes: [UInt8](decoded))
        case "window":
            guard let n = o["bytes"]?.intValue, n >= 1, n <= StreamWindow.maximum else {
                throw .badRequest("window.bytes must be an integer from 1 to \(StreamWindow.maximum)")
            }
            self = .window(id: id, side: side, stream: name, bytes: n)
        default:
            self = .eof(id: id, side: side, stream: name)
        }
    }

    public var json: JSON {
        switch self {
        case .data(let id, let side, let n, let b):
            return .object(JSONObject([("type", "data"), ("id", .int(id)), ("side", .string(side.rawValue)), ("stream", .string(n)),
                                       ("data", .string(Data(b).base64EncodedString()))]))
        case .window(let id, let side, let n, let b):
            return .object(JSONObject([("type", "window"), ("id", .int(id)), ("side", .string(side.rawValue)), ("stream", .string(n)),
                                       ("bytes", .int(b))]))
        case .eof(let id, let side, let n):
            return .object(JSONObject([("type", "eof"), ("id", .int(id)), ("side", .string(side.rawValue)), ("stream", .string(n))]))
        }
    }

    public var frame: [UInt8] { Frame.encode(json.bytes()) }
}
