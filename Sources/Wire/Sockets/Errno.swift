#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: errno plus the call's name, printed with its readable meaning.
public struct Errno: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int32
    public var call: String

    public init(_ code: Int32, call: String) {
        self.code = code
        self.call = call
    }

    public var description: String { "\(call): \(String(cString: strerror(code))) (errno \(code))" }

    public var wouldBlock: Bool { code == EAGAIN || code == EWOULDBLOCK }
}

/// Runs a libc call that returns -1 on failure, retrying on EINTR and turning other
/// failures into `Errno`. Never use it for `close`, which must not be retried.
@discardableResult
@inline(__always)
public func systemCall<T: BinaryInteger>(_ name: String, _ body: () -> T) throws(Errno) -> T {
    while true {
        let r = body()
        if r != -1 { return r }
        let e = errno
        if e == EINTR { continue }
        throw Errno(e, call: name)
    }
}
