#if canImport(Glibc)
import Glibc
#endif
import Wire

/// hostPath volumes: the type checks and creations of Kubernetes' hostPath plugin, with its
/// error messages.
enum HostPathCheck {
    static func check(_ source: HostPathVolumeSource) -> String? {
        let path = source.path
        if let problem = pathProblem(path) { return problem }
        let type = source.type ?? ""
        switch type {
        case "":
            return nil
        case "DirectoryOrCreate":
            if kind(path) == nil { return makeDirectory(path) }
            return kind(path) == S_IFDIR ? nil : "hostPath type check failed: \(path) is not a directory"
        case "Directory":
            return kind(path) == S_IFDIR ? nil : "hostPath type check failed: \(path) is not a directory"
        case "FileOrCreate":
            if kind(path) == nil { return makeFile(path) }
            return kind(path) == S_IFREG ? nil : "hostPath type check failed: \(path) is not a file"
        case "File":
            return kind(path) == S_IFREG ? nil : "hostPath type check failed: \(path) is not a file"
        case "Socket":
            return kind(path) == S_IFSOCK ? nil : "hostPath type check failed: \(path) is not a socket file"
        case "CharDevice":
            return kind(path) == S_IFCHR ? nil : "hostPath type check failed: \(path) is not a character device"
        case "BlockDevice":
            return kind(path) == S_IFBLK ? nil : "hostPath type check failed: \(path) is not a block device"
        default:
            return "\(type) is an invalid volume type"
        }
    }

    /// A hostPath must be absolute and without `..` (Kubernetes refuses back-steps).
    static func pathProblem(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return "invalid HostPath `\(path)`: must be an absolute path" }
        if path.split(separator: "/").contains("..") { return "invalid HostPath `\(path)`: must not contain '..'" }
        return nil
    }

    /// The file type bits of `path` (following symlinks, as Kubernetes' checks do), nil when absent.
    static func kind(_ path: String) -> mode_t? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return st.st_mode & S_IFMT
    }

    /// mkdir -p with 0755, as Kubernetes' DirectoryOrCreate.
    static func makeDirectory(_ path: String) -> String? {
        var built = ""
        for part in path.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o755) != 0 && errno != EEXIST {
                return "mkdir \(built): \(TCPDial.goErrnoText(errno))"
            }
        }
        return kind(path) == S_IFDIR ? nil : "hostPath type check failed: \(path) is not a directory"
    }

    /// An empty 0644 file, as Kubernetes' FileOrCreate (the parent must exist).
    static func makeFile(_ path: String) -> String? {
        let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        if fd < 0 && errno != EEXIST { return "open \(path): \(TCPDial.goErrnoText(errno))" }
        if fd >= 0 { close(fd) }
        return kind(path) == S_IFREG ? nil : "hostPath type check failed: \(path) is not a file"
    }
}
