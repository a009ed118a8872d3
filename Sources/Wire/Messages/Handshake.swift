/// The first exchange on every connection.
///
/// The client sends `hello` with the protocol versions it speaks (highest first or in any
/// order), its bearer token and who it is; the server answers `welcome` with the highest
/// version both speak, or an `error` frame naming both sides' versions, and closes.
public enum ProtocolVersion {
    /// Versions this build speaks. Version 2 adds streams (`logs`, `exec`; section 10 of
    /// docs/PROTOCOL.md); version 1 is served exactly as before for older peers.
    public static let supported: [Int] = [1, 2]
    /// The first version with streams.
    public static let streams = 2

    /// The highest version in both lists, if any.
    public static func negotiate(client: [Int], server: [Int] = supported) -> Int? {
        Set(client).intersection(server).max()
    }
}

public struct Hello: Sendable, Equatable {
    public var versions: [Int]
    public var token: String
    /// A kubelet names its node here; other clients leave it nil.
    public var nodeName: String?
    /// Free text such as `ctl/0.1.0`, for logs.
    public var client: String
    /// The largest frame this client accepts; the server never sends it a bigger one.
    /// Absent on the wire means the default, 16 MiB.
    public var maxFrameBytes: Int?

    public init(versions: [Int] = ProtocolVersion.supported, token: String, nodeName: String? = nil, client: String,
                maxFrameBytes: Int? = nil) {
        self.versions = versions
        self.token = token
        self.nodeName = nodeName
        self.client = client
        self.maxFrameBytes = maxFrameBytes
    }

    public var json: JSON {
        var o: JSONObject = JSONObject([("type", "hello"), ("versions", .array(versions.map { .int($0) })), ("token", .string(token))])
        if let n = nodeName { o["identity"] = ["node": .string(n)] }
        o["client"] = .string(client)
        if let m = maxFrameBytes { o["maxFrameBytes"] = .int(m) }
        return .object(o)
    }

    /// Reads a hello; a message that is not one yields a 400 `Status`.
    public init(json o: JSONObject) throws(Status) {
        guard o["type"]?.stringValue == "hello" else { throw .badRequest("the first message must be a hello") }
        guard let vs = o["versions"]?.arrayValue, !vs.isEmpty else { throw .badRequest("hello.versions must be a non-empty array of integers") }
        var versions: [Int] = []
        for v in vs {
            guard let i = v.intValue else { throw .badRequest("hello.versions must be a non-empty array of integers") }
            versions.append(i)
        }
        guard let token = o["token"]?.stringValue else { throw .unauthorized("hello.token is missing") }
        self.versions = versions
        self.token = token
        let identity = o["identity"] ?? .null
        if !identity.isNull, identity.objectValue == nil { throw .badRequest("hello.identity must be an object") }
        if let n = identity["node"].stringValue { nodeName = n } else if !identity["node"].isNull {
            throw .badRequest("hello.identity.node must be a string")
        } else { nodeName = nil }
        client = o["client"]?.stringValue ?? "unknown"
        if let m = o["maxFrameBytes"], !m.isNull {
            // Error replies need a few hundred bytes; a frame header holds 32 bits.
            guard let n = m.intValue, n >= 4096, n <= Int(UInt32.max) else {
                throw .badRequest("hello.maxFrameBytes must be an integer from 4096 to 4294967295")
            }
            maxFrameBytes = n
        } else {
            maxFrameBytes = nil
        }
    }
}

public struct Welcome: Sendable, Equatable {
    public var version: Int
    public var server: String
    /// The user the server authenticated: `admin` or `system:node:NAME`.
    public var user: String
    /// The largest frame the server accepts from now on (nil from servers that do not say).
    public var maxFrameBytes: Int?

    public init(version: Int, server: String, user: String, maxFrameBytes: Int? = nil) {
        self.version = version
        self.server = server
        self.user = user
        self.maxFrameBytes = maxFrameBytes
    }

    public var json: JSON {
        var o = JSONObject([("type", "welcome"), ("version", .int(version)), ("server", .string(server)), ("user", .string(user))])
        if let m = maxFrameBytes { o["maxFrameBytes"] = .int(m) }
        return .object(o)
    }

    public init(json o: JSONObject) throws(Status) {
        guard o["type"]?.stringValue == "welcome", let v = o["version"]?.intValue else {
            throw .badRequest("expected a welcome message")
        }
        version = v
        server = o["server"]?.stringValue ?? ""
        user = o["user"]?.stringValue ?? ""
        maxFrameBytes = o["maxFrameBytes"]?.intValue
    }
}
