#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Pod and container cgroups below one root (`--cgroup-root`, default `skiff/<node name>`, so
/// that two kubelets on one host never touch each other's). Paths given to its methods are
/// relative to the root: a pod's is its sandbox's `podCgroup` (`pod<uid>`), a container's
/// `<pod cgroup>/<container id>`.
///
/// Hierarchies used: v1: cpu, cpuacct, memory, pids and freezer (never cpuset); hybrid: the same
/// plus the unified tree (no controllers there, but `cgroup.kill`); v2: the unified tree with
/// cpu, memory and pids enabled in `cgroup.subtree_control` from its mount down to each pod.
///
/// Where cgroups cannot be made or written, containers still run, without limits (or without
/// the limits that failed), and `problem` says why. Thread-safety: any thread.
public final class CgroupManager: Sendable {
    public let layout: CgroupLayout
    /// The root below each hierarchy's mount point, without leading or trailing '/'.
    public let root: String
    /// The hierarchies in use; for the unified one, `controllers` are those enabled.
    public let hierarchies: [CgroupHierarchy]
    private let lastProblem: Mutex<String?>

    /// What went wrong the last time something could not be made or written (nil: nothing),
    /// for node status and events: e.g. `mkdir /sys/fs/cgroup/memory/skiff: permission denied`.
    public var problem: String? { lastProblem.withLock { $0 } }

    public init(root: String, layout: CgroupLayout = .current()) {
        self.layout = layout
        let trimmed = root.split(separator: "/").joined(separator: "/")
        self.root = trimmed
        var problem: String?
        var used: [CgroupHierarchy] = []
        if let bad = Self.pathProblem(trimmed) {
            problem = "cgroup root \"\(root)\": \(bad)"
        } else {
            switch layout.mode {
            case nil:
                problem = "no cgroup file system is mounted: containers run without limits"
            case .v1?, .hybrid?:
                (used, problem) = Self.prepareV1(layout, root: trimmed)
            case .v2?:
                (used, problem) = Self.prepareV2(layout.unified ?? "", root: trimmed)
            }
        }
        hierarchies = used
        lastProblem = Mutex(problem)
    }

    /// A relative cgroup path must be non-empty, without `.`/`..` components.
    public static func pathProblem(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if path.isEmpty || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            return "must be a relative path without empty, \".\" or \"..\" parts"
        }
        return nil
    }

    private static func prepareV1(_ layout: CgroupLayout, root: String) -> ([CgroupHierarchy], String?) {
        var used: [CgroupHierarchy] = []
        for h in layout.v1 {
            do { try CgroupFile.makeDirectories(base: h.mountPoint, relative: root) } catch {
                return ([], "\(error.message): containers run without limits")
            }
            used.append(h)
        }
        var problem: String?
        let present = used.reduce(into: Set<String>()) { $0.formUnion($1.controllers) }
        let missing = ["cpu", "memory", "pids"].filter { !present.contains($0) }
        if !missing.isEmpty { problem = "cgroup v1 controllers not mounted: \(missing.joined(separator: ", ")) (their limits are not set)" }
        // Hybrid: the unified tree only for cgroup.kill; without it the freezer does.
        if layout.mode == .hybrid, let unified = layout.unified, (try? CgroupFile.makeDirectories(base: unified, relative: root)) != nil {
            used.append(CgroupHierarchy(mountPoint: unified, controllers: [], isUnified: true))
        }
        return (used, problem)
    }

    private static func prepareV2(_ mount: String, root: String) -> ([CgroupHierarchy], String?) {
        let available = Set((CgroupFile.read("\(mount)/cgroup.controllers") ?? "").split(whereSeparator: \.isWhitespace).map(String.init))
        var enabled = Set(["cpu", "memory", "pids"]).intersection(available)
        var problems: [String] = []
        let missing = ["cpu", "memory", "pids"].filter { !available.contains($0) }
        if !missing.isEmpty { problems.append("cgroup v2 controllers not available: \(missing.joined(separator: ", "))") }
        var dir = mount
        let parts = root.split(separator: "/")
        // The mount's own cgroup, then each part of the root, enables them for the next level.
        for i in 0...parts.count {
            if i > 0 {
                dir += "/\(parts[i - 1])"
                do { try CgroupFile.makeDirectory(dir) } catch { return ([], "\(error.message): containers run without limits") }
            }
            for c in enabled.sorted() {
                do { try CgroupFile.write("\(dir)/cgroup.subtree_control", "+\(c)") } catch {
                    enabled.remove(c)
                    problems.append(error.message)
                }
            }
        }
        let h = CgroupHierarchy(mountPoint: mount, controllers: enabled, isUnified: true)
        return ([h], problems.isEmpty ? nil : problems.joined(separator: "; ") + " (those limits are not set)")
    }

    func record(_ problem: String) { lastProblem.withLock { $0 = problem } }

    /// `<mount>/<root>/<path>` in `h`.
    func directory(_ h: CgroupHierarchy, _ path: String) -> String { "\(h.mountPoint)/\(root)/\(path)" }

    /// The directory of `path` in the hierarchy that has `controller` (v1), or the unified one (v2).
    public func directory(_ path: String, controller: String) -> String? {
        guard let h = hierarchies.first(where: { $0.controllers.contains(controller) }) else { return nil }
        return directory(h, path)
    }

    /// The directories of `path`, one per hierarchy in use (empty without cgroups).
    public func directories(_ path: String) -> [String] { hierarchies.map { directory($0, path) } }

    /// Makes `path`'s cgroup in every hierarchy and writes `resources`; `parent` cgroups (pods)
    /// also enable the v2 controllers for their children. Failures are recorded in `problem`;
    /// what could be made is kept.
    public func create(_ path: String, resources: LinuxContainerResources?, parent: Bool) {
        guard !hierarchies.isEmpty else { return }
        if let bad = Self.pathProblem(path) { return record("cgroup \"\(path)\": \(bad)") }
        for h in hierarchies {
            let dir = directory(h, path)
            do {
                try CgroupFile.makeDirectories(base: "\(h.mountPoint)/\(root)", relative: path)
                if h.isUnified && parent {
                    for c in h.controllers.sorted() { try CgroupFile.write("\(dir)/cgroup.subtree_control", "+\(c)") }
                }
                try CgroupLimits.write(resources ?? LinuxContainerResources(), to: dir, hierarchy: h)
            } catch {
                record(error.message)
            }
        }
    }

    /// The cgroup.procs files a process writes its pid into to join `path` (existing ones only).
    public func procsFiles(_ path: String) -> [String] {
        directories(path).filter { CgroupFile.exists($0) }.map { "\($0)/cgroup.procs" }
    }

    /// Processes in `path`'s cgroups that are alive (zombies left out), in any hierarchy.
    public func livePIDs(_ path: String) -> [Int32] {
        var all = Set<Int32>()
        for dir in directories(path) { all.formUnion(CgroupFile.pids("\(dir)/cgroup.procs")) }
        return all.filter { !ProcStat.isZombieOrGone($0) }.sorted()
    }

    /// `path`'s cgroup.kill in the unified tree, when the kernel has one (for the container
    /// monitor, which kills what a container leaves behind).
    public func killFile(_ path: String) -> String? {
        hierarchies.first(where: \.isUnified).map { "\(directory($0, path))/cgroup.kill" }.flatMap { CgroupFile.exists($0) ? $0 : nil }
    }

    /// The file of `path`'s memory cgroup that holds the `oom_kill` counter (see `oomKills`).
    public func oomKillFile(_ path: String) -> String? {
        directory(path, controller: "memory").map { "\($0)/\(layout.mode == .v2 ? "memory.events" : "memory.oom_control")" }
    }

    /// The OOM kills the kernel made in `path`'s memory cgroup (v1 `memory.oom_control`, v2
    /// `memory.events`: the `oom_kill` counter; `failcnt` also counts limit hits that reclaim
    /// resolved, so it is not used). 0 when unknown.
    public func oomKills(_ path: String) -> Int64 {
        guard let dir = directory(path, controller: "memory") else { return 0 }
        let file = layout.mode == .v2 ? "memory.events" : "memory.oom_control"
        return CgroupFile.read("\(dir)/\(file)").flatMap { CgroupFile.keyedValue($0, "oom_kill") } ?? 0
    }
}
