#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Wire

/// Copies a container's stdout and stderr pipes into its CRI log file, on a thread of its own,
/// until both pipes reach end of file (every writer, including children the container left
/// behind, has closed them).
///
/// The pipes end with the kubelet: a later slice moves this copy into the per-container
/// monitor process, so that containers outlive a kubelet restart with their logs intact.
final class LogCopier: Sendable {
    private let done = DispatchGroup()

    struct Limits: Sendable {
        var maxSize: Int
        var maxFiles: Int
        var lineLimit: Int
    }

    /// Takes ownership of both read ends and the file, and starts copying at once.
    init(stdoutFD: Int32, stderrFD: Int32, file: RotatingLogFile, lineLimit: Int) {
        done.enter()
        let group = done
        Thread.detachNewThread {
            var copy = Copy(file: file, lineLimit: lineLimit, fds: [stdoutFD, stderrFD])
            copy.run()
            group.leave()
        }
    }

    /// Blocks until the copy finished or `timeout` seconds passed; true when finished.
    @discardableResult
    func waitUntilDone(timeout: Double) -> Bool {
        done.wait(timeout: .now() + timeout) == .success
    }

    private struct Copy {
        var file: RotatingLogFile
        var splitters: [LineSplitter]
        var fds: [Int32]
        let streams = ["stdout", "stderr"]

        init(file: RotatingLogFile, lineLimit: Int, fds: [Int32]) {
            self.file = file
            self.fds = fds
            splitters = [LineSplitter(limit: lineLimit), LineSplitter(limit: lineLimit)]
        }

        mutating func run() {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while fds.contains(where: { $0 >= 0 }) {
                var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                let n = poll(&polls, nfds_t(polls.count), -1)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { break }
                // In stream order, so that a line written to stdout before one to stderr,
                // both read in one round, keeps its place.
                for i in fds.indices where fds[i] >= 0 && polls[i].revents != 0 {
                    let got = buffer.withUnsafeMutableBytes { read(fds[i], $0.baseAddress, $0.count) }
                    if got < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                    if got <= 0 {
                        endStream(i)
                    } else {
                        write(stream: i, bytes: buffer[0..<got])
                    }
                }
            }
            for i in fds.indices where fds[i] >= 0 { endStream(i) }
            file.close()
        }

        mutating func write(stream i: Int, bytes: ArraySlice<UInt8>) {
            let now = Timestamp.nowNanos()
            var records: [[UInt8]] = []
            splitters[i].feed(bytes) { message, partial in
                records.append(CRILogFormat.record(nanos: now, stream: streams[i], partial: partial, message: message))
            }
            for r in records { file.write(r) }
        }

        mutating func endStream(_ i: Int) {
            let now = Timestamp.nowNanos()
            var records: [[UInt8]] = []
            splitters[i].finish { message, partial in
                records.append(CRILogFormat.record(nanos: now, stream: streams[i], partial: partial, message: message))
            }
            for r in records { file.write(r) }
            close(fds[i])
            fds[i] = -1
        }
    }
}
