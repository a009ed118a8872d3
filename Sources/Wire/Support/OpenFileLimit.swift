#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit (RLIMIT_NOFILE). Every connection costs a descriptor, so
/// daemons raise the soft limit to the hard one at start (as Go daemons like etcd do), and
/// the hard one too where the process may (root, or CAP_SYS_RESOURCE), up to the kernel's
/// `fs.nr_open`.
public enum OpenFileLimit {
    public struct Limits: Sendable, Equatable {
        public var soft: UInt64
        public var hard: UInt64
    }

    /// The limit in force now.
    public static var current: Limits {
        var r = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &r) == 0 else { return Limits(soft: 1024, hard: 1024) }
        return Limits(soft: UInt64(r.rlim_cur), hard: UInt64(r.rlim_max))
    }

    /// Raises the hard limit to `fs.nr_open` if allowed, then the soft limit to the hard one.
    /// Returns the limits in force afterwards; never fails (a refused raise keeps what was).
    @discardableResult
    public static func raise() -> Limits {
        let before = current
        if let ceiling = kernelCeiling(), ceiling > before.hard {
            var r = rlimit(rlim_cur: rlim_t(ceiling), rlim_max: rlim_t(ceiling))
            if setrlimit(RLIMIT_NOFILE_VALUE, &r) == 0 { return current }
        }
        if before.soft < before.hard {
            var r = rlimit(rlim_cur: rlim_t(before.hard), rlim_max: rlim_t(before.hard))
            _ = setrlimit(RLIMIT_NOFILE_VALUE, &r)
        }
        return current
    }

    /// `/proc/sys/fs/nr_open`: the most any process may have.
    static func kernelCeiling() -> UInt64? {
        let fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 32)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return UInt64(String(decoding: buf[0..<n].filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self))
    }

    private static var RLIMIT_NOFILE_VALUE: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}

/// What every daemon does first: catch SIGTERM and SIGINT (`Signals`: from here on either
/// one ends the daemon cleanly, however early it comes), ignore SIGPIPE (a write to a closed
/// socket or pipe then fails with EPIPE instead of killing the process) and raise the
/// open-file limit.
public enum DaemonProcess {
    @discardableResult
    public static func prepare() -> OpenFileLimit.Limits {
        Signals.install()
        signal(SIGPIPE, SIG_IGN)
        return OpenFileLimit.raise()
    }
}
