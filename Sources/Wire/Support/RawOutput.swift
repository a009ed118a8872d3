#if canImport(Glibc)
import Glibc
#endif

/// Writing daemon output (logs, reports) with write(2) directly. `FileHandle.write` traps
/// when the write fails (EPIPE from a closed pipe, ENOSPC from a full disk, EBADF); a
/// daemon must never die because nobody reads its logs, so failures here are dropped.
public enum RawOutput {
    /// Writes all of `bytes` to `fd`, retrying on EINTR and short writes; gives up silently
    /// on any other error (the line is lost, the process goes on).
    public static func write(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { buf in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    public static func standardError(_ line: String) { write(Array(line.utf8), to: 2) }
    public static func standardOutput(_ line: String) { write(Array(line.utf8), to: 1) }
}
