/// How a client reaches and identifies itself to the apiserver.
public struct ClientConfig: Sendable {
    /// Default `127.0.0.1:6443`.
    public var server: HostPort
    public var token: String
    /// Set by kubelets: the node this connection speaks for.
    public var nodeName: String?
    /// Free text for the server's logs, e.g. `ctl/0.1.0`.
    public var clientName: String
    /// Default 5 seconds.
    public var connectTimeoutMs: Int32
    /// Per-request deadline; nil waits for as long as the connection lives. Default nil.
    public var requestTimeoutSeconds: Double?
    public var limits: FrameLimits

    public init(server: HostPort = HostPort(host: "127.0.0.1", port: 6443), token: String, nodeName: String? = nil,
                clientName: String, connectTimeoutMs: Int32 = 5000, requestTimeoutSeconds: Double? = nil,
                limits: FrameLimits = .default) {
        self.server = server
        self.token = token
        self.nodeName = nodeName
        self.clientName = clientName
        self.connectTimeoutMs = connectTimeoutMs
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.limits = limits
    }
}

/// A successful answer: the object (or list) and any warnings the server attached.
public struct Reply: Sendable {
    public var object: JSON
    public var warnings: [String]

    public init(object: JSON, warnings: [String] = []) {
        self.object = object
        self.warnings = warnings
    }
}

/// One event of a watch stream.
public struct WatchEvent: Sendable {
    /// `ADDED`, `MODIFIED`, `DELETED` or `BOOKMARK`.
    public var type: String
    public var object: JSON

    public init(type: String, object: JSON) {
        self.type = type
        self.object = object
    }

    public var resourceVersion: String? { object["metadata"]["resourceVersion"].stringValue }
}

extension Status {
    /// The client could not reach the server or lost it.
    public static func connectionFailed(_ server: HostPort, _ why: String) -> Status {
        Status(code: 503, reason: "ServiceUnavailable", message: "the connection to the server \(server) failed: \(why)",
               details: Details(name: server.description, kind: "connection"))
    }

    /// True for failures of the transport rather than answers from the server.
    public var isConnectionFailure: Bool { details?.kind == "connection" && code == 503 }
}
