import Foundation

/// Removes what kubelets started by a test left in the cgroups below one root: processes
/// still in them are killed (a kubelet killed with -9 leaves its pods' processes), then the
/// directories go, deepest first, in every hierarchy (v1, hybrid or v2).
enum CgroupCleanup {
    static func remove(under root: String) {
        let fm = FileManager.default
        // v1 and hybrid: one tree per hierarchy below the mount; pure v2: the root directly.
        let bases = ((try? fm.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []).map { "/sys/fs/cgroup/\($0)/\(root)" } + ["/sys/fs/cgroup/\(root)"]
        for base in bases {
            guard let all = fm.subpaths(atPath: base) else { continue }
            let dirs = all.filter { var d: ObjCBool = false; return fm.fileExists(atPath: "\(base)/\($0)", isDirectory: &d) && d.boolValue }
            var killed = false
            for d in [""] + dirs {
                let procs = (try? String(contentsOfFile: "\(base)/\(d)/cgroup.procs", encoding: .utf8)) ?? ""
                for pid in procs.split(separator: "\n").compactMap({ pid_t($0) }) { kill(pid, SIGKILL); killed = true }
            }
            if killed { Thread.sleep(forTimeInterval: 0.2) }
            for d in dirs.sorted(by: { $0.count > $1.count }) { rmdir("\(base)/\(d)") }
            rmdir(base)
        }
    }
}
