/// Every frame after the handshake is one of these, told apart by its `type` member.
public enum Message: Sendable {
    case request(Request)
    /// The answer to request `id`: an object (or list), or a failure `Status`; plus warnings
    /// such as dropped unknown fields.
    case response(id: Int, result: Result<JSON, Status>, warnings: [String])
    /// One watch event for watch request `id`: `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`.
    case event(id: Int, type: String, object: JSON)
    /// Stop request `id` (a watch, usually); the other side answers it with a final response.
    case cancel(id: Int)
    case ping(id: Int)
    case pong(id: Int)
    /// A connection-level error; the sender closes the connection after it.
    case error(Status)
    /// `data`, `window` or `eof` of a `logs` or `exec` request (protocol version 2 only).
    case stream(StreamMessage)

    /// `streams`: the connection negotiated version 2 or later; before that the stream
    /// frames are unknown message types, as they were in version 1.
    public static func parse(_ o: JSONObject, streams: Bool = false) throws(Status) -> Message {
        guard let type = o["type"]?.stringValue else { throw .badRequest("message.type must be a string") }
        func id() throws(Status) -> Int {
            guard let i = o["id"]?.intValue else { throw .badRequest("\(type).id must be an integer") }
            return i
        }
        switch type {
        case "request": return .request(try Request(json: o))
        case "response":
            let warnings = (o["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
            if let e = o["error"], !e.isNull { return .response(id: try id(), result: .failure(Status(json: e)), warnings: warnings) }
            return .response(id: try id(), result: .success(o["object"] ?? .null), warnings: warnings)
        case "event":
            guard let t = o["event"]?.stringValue else { throw .badRequest("event.event must be a string") }
            return .event(id: try id(), type: t, object: o["object"] ?? .null)
        case "cancel": return .cancel(id: try id())
        case "ping": return .ping(id: try id())
        case "pong": return .pong(id: try id())
        case "error": return .error(Status(json: o["status"] ?? .null))
        case "data", "window", "eof":
            guard streams else { fallthrough }
            return .stream(try StreamMessage(json: o))
        default: throw .badRequest("unknown message type \"\(Status.clip(type))\"")
        }
    }

    public var json: JSON {
        switch self {
        case .request(let r): return r.json
        case .response(let id, let result, let warnings):
            var o = JSONObject([("type", "response"), ("id", .int(id))])
            switch result {
            case .success(let obj): o["object"] = obj
            case .failure(let s): o["error"] = s.json
            }
            if !warnings.isEmpty { o["warnings"] = .array(warnings.map { .string($0) }) }
            return .object(o)
        case .event(let id, let type, let object):
            return ["type": "event", "id": .int(id), "event": .string(type), "object": object]
        case .cancel(let id): return ["type": "cancel", "id": .int(id)]
        case .ping(let id): return ["type": "ping", "id": .int(id)]
        case .pong(let id): return ["type": "pong", "id": .int(id)]
        case .error(let s): return ["type": "error", "status": s.json]
        case .stream(let m): return m.json
        }
    }

    /// The whole frame: length prefix and body.
    public var frame: [UInt8] { Frame.encode(json.bytes()) }
}

extension Message {
    /// A response frame built by splicing already-encoded object bytes, so a stored object
    /// goes out without being parsed and re-encoded.
    public static func responseFrame(id: Int, objectBytes: [UInt8], warnings: [String] = []) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(objectBytes.count + 48)
        body.append(contentsOf: #"{"type":"response","id":"#.utf8)
        body.append(contentsOf: String(id).utf8)
        if !warnings.isEmpty {
            body.append(contentsOf: #","warnings":"#.utf8)
            JSON.array(warnings.map { .string($0) }).write(to: &body)
        }
        body.append(contentsOf: #","object":"#.utf8)
        body.append(contentsOf: objectBytes)
        body.append(UInt8(ascii: "}"))
        return Frame.encode(body)
    }

    /// The part of an event frame every watcher shares: `"event":"ADDED","object":{...}`.
    /// Built once per event; `eventFrame` wraps it with each watcher's id.
    public static func sharedEventBody(type: String, objectBytes: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(objectBytes.count + 32)
        body.append(contentsOf: #""event":""#.utf8)
        body.append(contentsOf: type.utf8)
        body.append(contentsOf: #"","object":"#.utf8)
        body.append(contentsOf: objectBytes)
        return body
    }

    public static func eventFrame(id: Int, shared: [UInt8]) -> [UInt8] {
        let prefix = Array(#"{"type":"event","id":"#.utf8) + Array(String(id).utf8) + [UInt8(ascii: ",")]
        var out: [UInt8] = []
        out.reserveCapacity(prefix.count + shared.count + 5)
        Frame.appendHeader(length: prefix.count + shared.count + 1, to: &out)
        out.append(contentsOf: prefix)
        out.append(contentsOf: shared)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
