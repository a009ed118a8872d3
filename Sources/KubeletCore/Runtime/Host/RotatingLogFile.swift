#if canImport(Glibc)
import Glibc
#endif

/// A container's log file, rotated by size as it is written.
///
/// Naming: the current file is the path the kubelet chose (`<pod log dir>/<container>/<restart
/// count>.log`); rotated files are that path with `.1` (newest) up to `.<maxFiles-1>`
/// (oldest), so at most `maxFiles` files exist and a reader reads `.N` ... `.1`, then the
/// current file. A file is rotated before a record that would take it over `maxSize`; a
/// single record larger than `maxSize` still goes whole into a fresh file.
/// (The kubelet's own log manager names rotated files by time and gzips them; writing and
/// rotating in one place needs neither.) Not thread-safe: one log copier owns it.
struct RotatingLogFile {
    let path: String
    let maxSize: Int
    let maxFiles: Int
    private var fd: Int32
    private(set) var size: Int

    init(path: String, maxSize: Int, maxFiles: Int) throws(RuntimeError) {
        self.path = path
        self.maxSize = max(1, maxSize)
        self.maxFiles = max(1, maxFiles)
        fd = try Self.openAppending(path)
        var st = stat()
        size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    static func openAppending(_ path: String) throws(RuntimeError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw RuntimeError(.internal, "open \(path): \(SpawnFailure.lowercasedError(errno))") }
        return fd
    }

    /// Writes one whole record, rotating first when it would not fit. Write errors (a full
    /// disk) drop the record rather than stop the container: the kubelet does the same.
    mutating func write(_ record: [UInt8]) {
        if size > 0 && size + record.count > maxSize { rotate() }
        guard fd >= 0 else { return }
        var offset = 0
        while offset < record.count {
            let n = record[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        size += offset
    }

    private mutating func rotate() {
        Glibc.close(fd)
        if maxFiles > 1 {
            for i in stride(from: maxFiles - 2, through: 1, by: -1) { rename("\(path).\(i)", "\(path).\(i + 1)") }
            rename(path, "\(path).1")
        } else {
            unlink(path)
        }
        fd = (try? Self.openAppending(path)) ?? -1
        size = 0
    }

    mutating func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
