/// Pod sandboxes: a directory of records and, with root, the pod's UTS namespace.
extension HostRuntime {
    public func runPodSandbox(_ sandbox: PodSandboxConfig) async throws -> String {
        guard !sandbox.name.isEmpty, !sandbox.uid.isEmpty else { throw RuntimeError(.invalidArgument, "pod sandbox config needs a name and a uid") }
        guard !sandbox.hostname.isEmpty, sandbox.hostname.utf8.count <= 63 else {
            throw RuntimeError(.invalidArgument, "pod hostname \"\(sandbox.hostname)\" must be 1 to 63 characters")
        }
        guard sandbox.logDirectory.hasPrefix("/") else {
            throw RuntimeError(.invalidArgument, "pod log directory \"\(sandbox.logDirectory)\" must be an absolute path")
        }
        guard sandbox.runtimeHandler == Self.handlerName else {
            throw RuntimeError(.invalidArgument, "runtime handler \"\(sandbox.runtimeHandler)\" is not \"\(Self.handlerName)\"")
        }
        if let problem = CgroupManager.pathProblem(sandbox.podCgroup) {
            throw RuntimeError(.invalidArgument, "cgroup parent \"\(sandbox.podCgroup)\": \(problem)")
        }
        let id = Self.newID()
        let dir = disk.sandboxDir(id)
        try disk.createDirectory(disk.containersDir(id))
        let useUTS = config.podUTSNamespace
        let holderExecutable = config.podHolderExecutable
        do {
            let uts: PodUTSNamespace? = useUTS
                ? try await BlockingCall.run { () throws(RuntimeError) in try PodUTSNamespace(hostname: sandbox.hostname, holderExecutable: holderExecutable) } : nil
            if let uts {
                let holder = HolderRecord(pid: uts.pid, startTime: ProcStat.startTime(uts.pid))
                do { try disk.write(holder, to: "\(dir)/holder.json") } catch { uts.release(); throw error }
            }
            do {
                try disk.write(SandboxRecord(config: sandbox, createdAt: Self.now(), state: .ready), to: "\(dir)/sandbox.json")
            } catch {
                uts?.release()
                throw error
            }
            table.withLock { $0.sandboxes[id] = LiveSandbox(config: sandbox, uts: uts) }
            createPodCgroup(sandbox)
        } catch {
            disk.removeTree(dir)
            throw error
        }
        return id
    }

    public func stopPodSandbox(_ podSandboxID: String) async throws {
        let containerIDs = table.withLock { t in t.containers.filter { $0.value.sandboxID == podSandboxID }.map(\.key) }
        for id in containerIDs { try await stopContainer(id, timeout: 0) }
        guard let uts = table.withLock({ t -> PodUTSNamespace?? in
            guard t.sandboxes[podSandboxID] != nil else { return nil }
            defer { t.sandboxes[podSandboxID]?.uts = nil }
            return .some(t.sandboxes[podSandboxID]?.uts)
        }) else { return }
        if let uts { try await BlockingCall.run { uts.release() } } else { killAdoptedHolder(podSandboxID) }
        let path = "\(disk.sandboxDir(podSandboxID))/sandbox.json"
        if var record = disk.read(SandboxRecord.self, from: path), record.state != .notReady {
            record.state = .notReady
            try disk.write(record, to: path)
        }
        try await removeStoppedCgroups(podSandboxID, containerIDs: containerIDs)
    }

    /// Nothing of a stopped sandbox runs: its containers' cgroups go (their records stay for
    /// status and logs; the monitor read the OOM counter before recording each exit), and the
    /// pod cgroup unless a ready sandbox of the same pod uses it.
    private func removeStoppedCgroups(_ podSandboxID: String, containerIDs: [String]) async throws {
        guard let cgroups, let podCgroup = table.withLock({ $0.sandboxes[podSandboxID]?.config.podCgroup }) else { return }
        let others = table.withLock { t in t.sandboxes.filter { $0.key != podSandboxID && $0.value.config.podCgroup == podCgroup }.map(\.key) }
        let shared = others.contains { disk.read(SandboxRecord.self, from: "\(disk.sandboxDir($0))/sandbox.json")?.state == .ready }
        try await BlockingCall.run {
            for id in containerIDs {
                cgroups.killAll("\(podCgroup)/\(id)")
                cgroups.remove("\(podCgroup)/\(id)")
            }
            if !shared { cgroups.remove(podCgroup) }
        }
    }

    public func removePodSandbox(_ podSandboxID: String) async throws {
        try await stopPodSandbox(podSandboxID)
        let containerIDs = table.withLock { t in t.containers.filter { $0.value.sandboxID == podSandboxID }.map(\.key) }
        for id in containerIDs { try await removeContainer(id) }
        // The pod cgroup goes with the pod's last sandbox (a new attempt may share it).
        let podCgroup = table.withLock { t -> String? in
            guard let removed = t.sandboxes.removeValue(forKey: podSandboxID) else { return nil }
            let shared = t.sandboxes.values.contains { $0.config.podCgroup == removed.config.podCgroup }
            return shared ? nil : removed.config.podCgroup
        }
        if let cgroups, let podCgroup { try await BlockingCall.run { cgroups.remove(podCgroup) } }
        disk.removeTree(disk.sandboxDir(podSandboxID))
    }

    public func podSandboxStatus(_ podSandboxID: String) async throws -> PodSandboxStatus {
        guard let record = disk.read(SandboxRecord.self, from: "\(disk.sandboxDir(podSandboxID))/sandbox.json") else {
            throw RuntimeError(.notFound, "pod sandbox \"\(podSandboxID)\" not found")
        }
        return PodSandboxStatus(id: podSandboxID, config: record.config, state: record.state, createdAt: record.createdAt)
    }

    public func listPodSandboxes() async throws -> [PodSandboxStatus] {
        var out: [PodSandboxStatus] = []
        for id in table.withLock({ Array($0.sandboxes.keys) }).sorted() {
            if let status = try? await podSandboxStatus(id) { out.append(status) }
        }
        return out
    }
}
