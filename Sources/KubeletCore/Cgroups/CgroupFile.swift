#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing cgroup control files with plain syscalls: each write is one write(2),
/// as the kernel expects, and failures carry errno's text.
enum CgroupFile {
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes `value` in one write(2); the error names the file and errno.
    static func write(_ path: String, _ value: String) throws(CgroupError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CgroupError("open \(path): \(errnoText())") }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw CgroupError("write \"\(value)\" to \(path): \(errnoText())") }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// mkdir; an existing directory is fine.
    static func makeDirectory(_ path: String) throws(CgroupError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw CgroupError("mkdir \(path): \(errnoText())") }
    }

    /// mkdir -p of `relative` below `base` (which exists).
    static func makeDirectories(base: String, relative: String) throws(CgroupError) {
        var path = base
        for part in relative.split(separator: "/") {
            path += "/\(part)"
            try makeDirectory(path)
        }
    }

    /// The pids listed in a cgroup.procs file ([] when it cannot be read).
    static func pids(_ procsFile: String) -> [Int32] {
        (read(procsFile) ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    /// The number after `key ` in a flat keyed file (memory.events, memory.oom_control).
    static func keyedValue(_ text: String, _ key: String) -> Int64? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == key { return Int64(parts[1]) }
        }
        return nil
    }

    static func errnoText() -> String { SpawnFailure.lowercasedError(errno) }
}

/// Why a cgroup operation failed, in words for node status and events.
public struct CgroupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
