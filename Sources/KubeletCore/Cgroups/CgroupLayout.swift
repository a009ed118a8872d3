/// Which cgroup versions the host mounts, read from /proc/self/mountinfo at start.
public enum CgroupMode: String, Sendable, Equatable {
    /// Only the unified (v2) hierarchy.
    case v2
    /// Only v1 controller hierarchies.
    case v1
    /// v1 controller hierarchies and a unified mount beside them (systemd's "hybrid"): limits
    /// go to the v1 controllers; the unified tree (usually controller-less) is joined too, for
    /// its `cgroup.kill`.
    case hybrid
}

/// One mounted cgroup hierarchy.
public struct CgroupHierarchy: Sendable, Equatable, Hashable {
    public var mountPoint: String
    /// v1: the controllers bound to it (`cpu`, `memory`, ...). Unified: empty.
    public var controllers: Set<String>
    public var isUnified: Bool

    public init(mountPoint: String, controllers: Set<String>, isUnified: Bool) {
        self.mountPoint = mountPoint
        self.controllers = controllers
        self.isUnified = isUnified
    }
}

/// The cgroup file systems this process sees.
public struct CgroupLayout: Sendable, Equatable {
    /// nil: no cgroup file system is mounted.
    public var mode: CgroupMode?
    /// The v1 hierarchies that hold a controller the runtime uses (`CgroupLayout.v1Controllers`).
    public var v1: [CgroupHierarchy]
    /// The cgroup2 mount point, if any.
    public var unified: String?

    /// v1 controllers a container cgroup is made in. Not cpuset: a new v1 cpuset cgroup has
    /// empty cpus and mems, and a process cannot join it.
    public static let v1Controllers: Set<String> = ["cpu", "cpuacct", "memory", "pids", "freezer"]

    public init(mode: CgroupMode?, v1: [CgroupHierarchy], unified: String?) {
        self.mode = mode
        self.v1 = v1
        self.unified = unified
    }

    /// Reads /proc/self/mountinfo.
    public static func current() -> CgroupLayout {
        detect(mountinfo: CgroupFile.read("/proc/self/mountinfo") ?? "")
    }

    /// From mountinfo text: field 5 is the mount point; after ` - ` come the file system
    /// type, the source and the super options (a v1 mount's controllers).
    public static func detect(mountinfo: String) -> CgroupLayout {
        var v1: [CgroupHierarchy] = []
        var seen: Set<String> = []
        var unified: String?
        for line in mountinfo.split(separator: "\n") {
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2 else { continue }
            let fields = halves[0].split(separator: " ")
            let tail = halves[1].split(separator: " ")
            guard fields.count >= 5, tail.count >= 3 else { continue }
            let mountPoint = unescape(String(fields[4]))
            switch tail[0] {
            case "cgroup2":
                if unified == nil { unified = mountPoint }
            case "cgroup":
                let options = Set(tail[2].split(separator: ",").map(String.init))
                let wanted = options.intersection(v1Controllers)
                // A hierarchy mounted twice (bind mounts) is used once.
                guard !wanted.isEmpty, seen.isDisjoint(with: wanted) else { continue }
                seen.formUnion(wanted)
                v1.append(CgroupHierarchy(mountPoint: mountPoint, controllers: wanted, isUnified: false))
            default:
                continue
            }
        }
        let mode: CgroupMode? = v1.isEmpty ? (unified == nil ? nil : .v2) : (unified == nil ? .v1 : .hybrid)
        return CgroupLayout(mode: mode, v1: v1, unified: unified)
    }

    /// mountinfo escapes space, tab, newline and backslash as octal (`\040`).
    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count,
               let v = UInt8(String(decoding: bytes[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                out.append(v)
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
