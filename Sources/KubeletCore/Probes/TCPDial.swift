#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Wire

/// Connecting a TCP socket before a deadline, with errors worded as Go's `net.Dial` words them
/// (Kubernetes' probe messages are Go error strings: `dial tcp 127.0.0.1:1234: connect:
/// connection refused`, `dial tcp 10.0.0.1:80: i/o timeout`).
enum TCPDial {
    struct Failure: Error, Sendable, Equatable {
        var message: String
        var timedOut: Bool
    }

    /// Blocks the calling thread until connected or `deadline` (Monotonic seconds) passed.
    /// The returned socket is non-blocking; the caller closes it.
    static func connect(host: String, port: Int, deadline: Double) -> Result<Int32, Failure> {
        guard let p = UInt16(exactly: port), p > 0 else {
            return .failure(Failure(message: "dial tcp: address \(port): invalid port", timedOut: false))
        }
        let hp = HostPort(host: host, port: p)
        let left = deadline - Monotonic.seconds()
        guard left > 0 else { return .failure(Failure(message: "dial tcp \(hp): i/o timeout", timedOut: true)) }
        do {
            return .success(try Socket.connect(to: hp, timeoutMs: Int32(min(left * 1000 + 1, Double(Int32.max)))))
        } catch {
            if error.call.hasPrefix("getaddrinfo") {
                return .failure(Failure(message: "dial tcp: lookup \(host): no such host", timedOut: false))
            }
            if error.code == ETIMEDOUT {
                return .failure(Failure(message: "dial tcp \(hp): i/o timeout", timedOut: true))
            }
            return .failure(Failure(message: "dial tcp \(hp): connect: \(goErrnoText(error.code))", timedOut: false))
        }
    }

    /// Go's syscall.Errno text: strerror with a lower-case first letter ("connection refused").
    static func goErrnoText(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }

    /// Waits until `fd` is ready for `events` (POLLIN/POLLOUT); false when `deadline` passed first.
    static func wait(_ fd: Int32, for events: Int32, deadline: Double) -> Bool {
        while true {
            let left = deadline - Monotonic.seconds()
            if left <= 0 { return false }
            var pfd = pollfd(fd: fd, events: Int16(events), revents: 0)
            let n = poll(&pfd, 1, Int32(min(left * 1000 + 1, Double(Int32.max))))
            if n > 0 { return true }
            if n < 0 && errno != EINTR { return true }   // let the read or write report the error
        }
    }
}

/// Runs blocking socket work on a thread of its own, off the cooperative pool.
enum OffThread {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (c: CheckedContinuation<T, Never>) in
            Thread.detachNewThread { c.resume(returning: body()) }
        }
    }
}
