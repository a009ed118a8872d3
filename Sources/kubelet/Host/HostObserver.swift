#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KubeletCore

/// Reads the real host: CPUs this process may use, /proc/meminfo, the root dir's file
/// system, /etc/os-release, uname, PSI (/proc/pressure) where present.
struct HostObserver: NodeObserver {
    let rootDir: String
    let runtimeVersion: String
    /// `--system-reserved`, `--kube-reserved`, `--eviction-hard`.
    var reservations = NodeReservations()
    /// `--max-pods`: capacity and allocatable `pods`.
    var maxPods = 110

    func systemInfo() -> NodeSystemInfo {
        var info = NodeSystemInfo()
        var u = utsname()
        uname(&u)
        info.kernelVersion = withUnsafeBytes(of: &u.release) { cText($0) }
        let machine = withUnsafeBytes(of: &u.machine) { cText($0) }
        info.architecture = Self.goArch(machine)
        info.operatingSystem = "linux"
        info.osImage = Self.osImage()
        info.machineID = read("/etc/machine-id")?.trimmingCharacters(in: .whitespacesAndNewlines)
        info.systemUUID = read("/sys/class/dmi/id/product_uuid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? info.machineID
        info.bootID = read("/proc/sys/kernel/random/boot_id")?.trimmingCharacters(in: .whitespacesAndNewlines)
        info.kubeletVersion = KubeletVersion.version
        info.kubeProxyVersion = ""
        info.containerRuntimeVersion = runtimeVersion
        return info
    }

    func capacity() -> [String: Quantity] {
        var c: [String: Quantity] = [:]
        c["cpu"] = Quantity(String(Self.usableCPUs()))
        if let kb = Self.meminfo()["MemTotal"] { c["memory"] = Quantity("\(kb)Ki") }
        var fs = statvfs()
        if statvfs(rootDir, &fs) == 0 {
            let bytes = UInt64(fs.f_blocks) * UInt64(fs.f_frsize)
            c["ephemeral-storage"] = Quantity("\(bytes / 1024)Ki")
        }
        c["pods"] = Quantity(String(maxPods))
        return c
    }

    func addresses(reaching server: HostPort, hostname: String) -> [NodeAddress] {
        var out: [NodeAddress] = []
        if let ip = Self.localAddress(toward: server) { out.append(NodeAddress(type: "InternalIP", address: ip)) }
        out.append(NodeAddress(type: "Hostname", address: hostname))
        return out
    }

    func allocatable(capacity: [String: Quantity]) -> [String: Quantity] { reservations.allocatable(capacity: capacity) }

    /// Memory and PID pressure as `NodePressure.evaluate` judges the readings against the
    /// hard eviction thresholds; disk pressure: under 10 % of the root dir's file system free.
    func pressure() -> ObservedPressure {
        let judged = NodePressure.evaluate(readings(), thresholds: reservations.evictionHard)
        var fs = statvfs()
        var diskPressure = false
        if statvfs(rootDir, &fs) == 0, fs.f_blocks > 0 {
            diskPressure = Double(fs.f_bavail) / Double(fs.f_blocks) < 0.10
        }
        return ObservedPressure(memory: judged.memory, disk: diskPressure, pid: judged.pid, source: judged.memorySignal)
    }

    func readings() -> PressureReadings {
        let mem = Self.meminfo()
        func number(_ path: String) -> Int64? { read(path).flatMap { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
        let limits = [number("/proc/sys/kernel/pid_max"), number("/proc/sys/kernel/threads-max")].compactMap { $0 }
        let tasks = read("/proc/loadavg")?.split(separator: " ").dropFirst(3).first?.split(separator: "/").last.flatMap { Int64($0) }
        return PressureReadings(memoryAvailable: Int64(clamping: (mem["MemAvailable"] ?? 0) &* 1024),
                                memoryTotal: Int64(clamping: (mem["MemTotal"] ?? 0) &* 1024),
                                memorySomeAvg10: Self.psiAvg10("/proc/pressure/memory"),
                                processes: tasks ?? 0, processLimit: limits.min() ?? 0)
    }

    // MARK: readings

    func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    static func meminfo() -> [String: UInt64] {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return [:] }
        var out: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2 else { continue }
            out[String(parts[0].dropLast())] = UInt64(parts[1])
        }
        return out
    }

    static func psiAvg10(_ path: String) -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let some = text.split(separator: "\n").first(where: { $0.hasPrefix("some") }),
              let field = some.split(separator: " ").first(where: { $0.hasPrefix("avg10=") }) else { return nil }
        return Double(field.dropFirst(6))
    }

    /// CPUs this process may run on (its affinity list, `Cpus_allowed_list` in
    /// /proc/self/status), as the kubelet counts them.
    static func usableCPUs() -> Int {
        if let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) {
            var n = 0
            for part in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",") {
                let ends = part.split(separator: "-").compactMap { Int($0) }
                if ends.count == 2 { n += ends[1] - ends[0] + 1 } else if ends.count == 1 { n += 1 }
            }
            if n > 0 { return n }
        }
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    static func osImage() -> String {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return "Linux" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst(12)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return "Linux"
    }

    static func goArch(_ machine: String) -> String {
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64": return "arm64"
        case "armv7l": return "arm"
        default: return machine
        }
    }

    /// The local address the kernel would use to reach `server` (a connected UDP socket
    /// sends nothing; it only asks the routing table).
    static func localAddress(toward server: HostPort) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(server.host, String(server.port), &hints, &res) == 0, let ai = res else { return nil }
        defer { freeaddrinfo(res) }
        let fd = socket(ai.pointee.ai_family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 else { return nil }
        return Socket.localAddress(fd)?.host
    }
}

/// A NUL-terminated C char array as a String.
func cText(_ raw: UnsafeRawBufferPointer) -> String {
    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
}

enum KubeletVersion {
    static let version = "v0.1.0"
}
