#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes a configMap, secret or downwardAPI volume so that a reader sees the old files or the
/// new ones, never a mix: the files go into a fresh hidden directory beside the volume, then
/// the volume path (a symlink to it) is swapped by rename(2), as Kubernetes' AtomicWriter does
/// with its `..data` link.
enum AtomicVolumeWriter {
    struct File: Equatable {
        var bytes: [UInt8]
        var mode: UInt32
    }

    /// `files` maps validated relative paths to contents. `volumePath` is
    /// `<volumesDir>/<name>`; it becomes a symlink to `..<name>_<token>`.
    static func write(_ files: [String: File], volumePath: String) throws(VolumeWriteError) {
        let dir = (volumePath as NSString).deletingLastPathComponent
        let name = (volumePath as NSString).lastPathComponent
        let token = UUID().uuidString.prefix(8).lowercased()
        let payload = "..\(name)_\(token)"
        let payloadPath = "\(dir)/\(payload)"
        try make(payloadPath, mode: 0o755)
        do throws(VolumeWriteError) {
            for (path, file) in files.sorted(by: { $0.key < $1.key }) {
                let parts = path.split(separator: "/").map(String.init)
                var parent = payloadPath
                for component in parts.dropLast() {
                    parent += "/" + component
                    if mkdir(parent, 0o755) != 0 && errno != EEXIST { throw VolumeWriteError("mkdir \(parent): \(TCPDial.goErrnoText(errno))") }
                }
                try writeFile("\(payloadPath)/\(path)", file)
            }
            let old = try? FileManager.default.destinationOfSymbolicLink(atPath: volumePath)
            if old == nil, HostPathCheck.kind(volumePath) != nil || lstatExists(volumePath) {
                throw VolumeWriteError("\(volumePath) exists and is not a volume link")
            }
            let link = "\(dir)/.\(name).link-\(token)"
            guard symlink(payload, link) == 0 else { throw VolumeWriteError("symlink \(link): \(TCPDial.goErrnoText(errno))") }
            guard rename(link, volumePath) == 0 else {
                let e = errno
                unlink(link)
                throw VolumeWriteError("rename \(link): \(TCPDial.goErrnoText(e))")
            }
            if let old, !old.contains("/"), old.hasPrefix("..\(name)_") {
                try? FileManager.default.removeItem(atPath: "\(dir)/\(old)")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: payloadPath)
            throw error
        }
    }

    static func make(_ path: String, mode: mode_t) throws(VolumeWriteError) {
        guard mkdir(path, mode) == 0 else { throw VolumeWriteError("mkdir \(path): \(TCPDial.goErrnoText(errno))") }
        chmod(path, mode)   // not narrowed by the umask
    }

    private static func writeFile(_ path: String, _ file: File) throws(VolumeWriteError) {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw VolumeWriteError("open \(path): \(TCPDial.goErrnoText(errno))") }
        defer { close(fd) }
        var written = 0
        while written < file.bytes.count {
            let n = file.bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw VolumeWriteError("write \(path): \(TCPDial.goErrnoText(errno))")
            }
            written += n
        }
        guard fchmod(fd, mode_t(file.mode)) == 0 else { throw VolumeWriteError("chmod \(path): \(TCPDial.goErrnoText(errno))") }
    }

    private static func lstatExists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }
}

struct VolumeWriteError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
