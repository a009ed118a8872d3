/// An error from a runtime or image service: a code callers can act on and a message for
/// people (the kubelet puts it into container statuses and events).
public struct RuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let notFound = Code(rawValue: "NotFound")
        public static let unsupportedVersion = Code(rawValue: "UnsupportedVersion")
        public static let invalidArgument = Code(rawValue: "InvalidArgument")
        /// The container or sandbox is in a state that does not allow the call.
        public static let failedPrecondition = Code(rawValue: "FailedPrecondition")
        /// A process could not be started (the message names the executable or the step).
        public static let startFailed = Code(rawValue: "StartFailed")
        public static let deadlineExceeded = Code(rawValue: "DeadlineExceeded")
        /// A system call or file operation failed.
        public static let `internal` = Code(rawValue: "Internal")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
