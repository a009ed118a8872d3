/// Kubernetes' `Status`: the body of every failed request, and of a watch's last word.
///
/// Public errors are structs with a code, so new reasons never break callers.
public struct Status: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: Details?

    public struct Details: Sendable, Equatable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var causes: [Cause]
        public var retryAfterSeconds: Int?

        public init(name: String? = nil, group: String? = nil, kind: String? = nil, causes: [Cause] = [], retryAfterSeconds: Int? = nil) {
            self.name = name
            self.group = group?.isEmpty == true ? nil : group
            self.kind = kind
            self.causes = causes
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    /// One reason a field is invalid (`FieldValueRequired`, `FieldValueInvalid`, ...).
    public struct Cause: Sendable, Equatable {
        public var reason: String
        public var message: String
        public var field: String

        public init(reason: String, message: String, field: String) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    public init(code: Int, reason: String, message: String, details: Details? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { message }

    public var isNotFound: Bool { reason == Reason.notFound }
    public var isConflict: Bool { reason == Reason.conflict }
    public var isAlreadyExists: Bool { reason == Reason.alreadyExists }
    public var isGone: Bool { code == 410 }

    /// The reasons Kubernetes uses, as constants.
    public enum Reason {
        public static let badRequest = "BadRequest"
        public static let unauthorized = "Unauthorized"
        public static let forbidden = "Forbidden"
        public static let notFound = "NotFound"
        public static let alreadyExists = "AlreadyExists"
        public static let conflict = "Conflict"
        public static let gone = "Gone"
        public static let expired = "Expired"
        public static let invalid = "Invalid"
        public static let tooManyRequests = "TooManyRequests"
        public static let requestEntityTooLarge = "RequestEntityTooLarge"
        public static let internalError = "InternalError"
        public static let serviceUnavailable = "ServiceUnavailable"
        public static let timeout = "Timeout"
        public static let methodNotAllowed = "MethodNotAllowed"
        public static let badGateway = "BadGateway"
        public static let notAcceptable = "NotAcceptable"
        /// Not one of Kubernetes' reasons: the final answer to a request its sender cancelled.
        public static let canceled = "Canceled"
    }
}

extension Status {
    /// Peer text quoted in a message, cut to `max` characters: an error never grows with
    /// what a hostile peer sent.
    public static func clip(_ text: String, max: Int = 100) -> String {
        text.count <= max ? text : String(text.prefix(max)) + "..."
    }

    public static func badRequest(_ message: String) -> Status { Status(code: 400, reason: Reason.badRequest, message: message) }
    public static func unauthorized(_ message: String) -> Status { Status(code: 401, reason: Reason.unauthorized, message: message) }
    public static func forbidden(_ message: String) -> Status { Status(code: 403, reason: Reason.forbidden, message: message) }
    /// A create refused because its namespace is being deleted (Kubernetes' text).
    public static func namespaceTerminating(_ namespace: String) -> Status {
        forbidden("unable to create new content in namespace \(namespace) because it is being terminated")
    }
    /// True for `namespaceTerminating` answers (the workload controllers skip those quietly).
    public var isNamespaceTerminating: Bool { code == 403 && message.hasSuffix(" because it is being terminated") }
    public static func internalError(_ message: String) -> Status { Status(code: 500, reason: Reason.internalError, message: message) }
    public static func unavailable(_ message: String) -> Status { Status(code: 503, reason: Reason.serviceUnavailable, message: message) }
    public static func timeout(_ message: String) -> Status { Status(code: 504, reason: Reason.timeout, message: message) }
    /// The final answer to a `list` or `proxy` the client cancelled (code 499, as nginx's
    /// "client closed request").
    public static func canceled(_ message: String) -> Status { Status(code: 499, reason: Reason.canceled, message: message) }
    public static func methodNotAllowed(_ message: String) -> Status { Status(code: 405, reason: Reason.methodNotAllowed, message: message) }
    /// A peer the server relayed to (a kubelet, for `proxy`) answered with something malformed.
    public static func badGateway(_ message: String) -> Status { Status(code: 502, reason: Reason.badGateway, message: message) }

    /// `pods "web" not found`, as Kubernetes words it.
    public static func notFound(resource: String, name: String, group: String = "") -> Status {
        Status(code: 404, reason: Reason.notFound, message: "\(qualified(resource, group)) \"\(name)\" not found",
               details: Details(name: name, group: group, kind: resource))
    }

    public static func alreadyExists(resource: String, name: String, group: String = "") -> Status {
        Status(code: 409, reason: Reason.alreadyExists, message: "\(qualified(resource, group)) \"\(name)\" already exists",
               details: Details(name: name, group: group, kind: resource))
    }

    public static func conflict(resource: String, name: String, group: String = "", _ why: String) -> Status {
        Status(code: 409, reason: Reason.conflict,
               message: "Operation cannot be fulfilled on \(qualified(resource, group)) \"\(name)\": \(why)",
               details: Details(name: name, group: group, kind: resource))
    }

    public static func gone(_ message: String) -> Status { Status(code: 410, reason: Reason.expired, message: message) }

    public static func tooManyRequests(_ message: String, retryAfterSeconds: Int) -> Status {
        Status(code: 429, reason: Reason.tooManyRequests, message: message, details: Details(retryAfterSeconds: retryAfterSeconds))
    }

    /// 422 Invalid with one cause per field, worded as Kubernetes does, the kind qualified
    /// by its group: `Pod "x" is invalid: spec.containers: Required value`,
    /// `Deployment.apps "web" is invalid: ...`.
    public static func invalid(kind: String, name: String, group: String = "", causes: [Cause]) -> Status {
        let list = causes.map { "\($0.field): \($0.message)" }
        let joined = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        let qualifiedKind = group.isEmpty ? kind : "\(kind).\(group)"
        return Status(code: 422, reason: Reason.invalid, message: "\(qualifiedKind) \"\(name)\" is invalid: \(joined)",
                      details: Details(name: name, group: group, kind: kind, causes: causes))
    }

    static func qualified(_ resource: String, _ group: String) -> String {
        group.isEmpty ? resource : "\(resource).\(group)"
    }
}

extension Status.Cause {
    public static func required(_ field: String) -> Self { .init(reason: "FieldValueRequired", message: "Required value", field: field) }
    public static func invalid(_ field: String, _ value: String, _ why: String) -> Self {
        .init(reason: "FieldValueInvalid", message: "Invalid value: \(quoteForMessage(value)): \(why)", field: field)
    }
    public static func notSupported(_ field: String, _ value: String, supported: [String]) -> Self {
        .init(reason: "FieldValueNotSupported",
              message: "Unsupported value: \(quoteForMessage(value)): supported values: \(supported.map { "\"\($0)\"" }.joined(separator: ", "))",
              field: field)
    }
    public static func forbidden(_ field: String, _ why: String) -> Self { .init(reason: "FieldValueForbidden", message: "Forbidden: \(why)", field: field) }
    public static func duplicate(_ field: String, _ value: String) -> Self {
        .init(reason: "FieldValueDuplicate", message: "Duplicate value: \(quoteForMessage(value))", field: field)
    }

    static func quoteForMessage(_ v: String) -> String { "\"" + v + "\"" }
}
