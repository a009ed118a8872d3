#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim

/// Containers: create records, start a process, stop and remove it.
extension HostRuntime {
    public func createContainer(podSandboxID: String, config container: ContainerConfig, sandboxConfig: PodSandboxConfig) async throws -> String {
        guard !container.name.isEmpty else { throw RuntimeError(.invalidArgument, "container config needs a name") }
        guard !container.command.isEmpty, !container.command[0].isEmpty else {
            throw RuntimeError(.invalidArgument, "container \"\(container.name)\": the host handler needs a command (it runs no image entrypoint)")
        }
        guard !container.logPath.isEmpty, !container.logPath.hasPrefix("/") else {
            throw RuntimeError(.invalidArgument, "container \"\(container.name)\": log path \"\(container.logPath)\" must be relative to the pod's log directory")
        }
        guard let sandbox = table.withLock({ $0.sandboxes[podSandboxID]?.config }) else {
            throw RuntimeError(.notFound, "pod sandbox \"\(podSandboxID)\" not found")
        }
        let id = Self.newID()
        let logPath = sandbox.logDirectory + "/" + container.logPath
        let dir = disk.containerDir(podSandboxID, id)
        do {
            try disk.createDirectory(String(logPath[..<logPath.lastIndex(of: "/")!]))
            try disk.createDirectory(dir)
            try disk.write(ContainerRecord(podSandboxID: podSandboxID, config: container, createdAt: Self.now(), logPath: logPath),
                           to: "\(dir)/container.json")
        } catch {
            disk.removeTree(dir)
            throw error
        }
        images.record(container.image)
        cgroups?.create("\(sandbox.podCgroup)/\(id)", resources: container.resources, parent: false)
        table.withLock { $0.containers[id] = LiveContainer(sandboxID: podSandboxID) }
        return id
    }

    public func startContainer(_ containerID: String) async throws {
        let (sandboxID, live) = try claimStart(containerID)
        defer { table.withLock { $0.containers[containerID]?.starting = false } }
        let dir = disk.containerDir(sandboxID, containerID)
        guard let record = disk.read(ContainerRecord.self, from: "\(dir)/container.json"),
              disk.read(StartRecord.self, from: "\(dir)/started.json") == nil,
              disk.read(ExitRecord.self, from: "\(dir)/exited.json") == nil else {
            throw RuntimeError(.failedPrecondition, "container \"\(containerID)\" is not in created state")
        }
        // A sandbox an earlier kubelet made: join its holder's namespace.
        let adoptedUTS = config.podUTSNamespace && live.uts == nil ? adoptedUTSDescriptor(sandboxID) : nil
        defer { if let adoptedUTS { close(adoptedUTS) } }
        if config.podUTSNamespace && live.uts == nil && adoptedUTS == nil {
            throw RuntimeError(.failedPrecondition, "pod sandbox \"\(sandboxID)\" is not ready")
        }
        var request = SpawnRequest(
            argv: ContainerProcessSpec.argv(record.config),
            env: ContainerProcessSpec.environment(record.config.env, hostname: live.config.hostname),
            workingDir: ContainerProcessSpec.workingDir(record.config),
            user: ContainerProcessSpec.user(record.config.user),
            utsNamespaceFD: live.uts?.fd ?? adoptedUTS ?? -1)
        joinContainer(&request, sandbox: live.config, containerID: containerID, config: record.config)
        let spawnRequest = request
        let limits = LogCopier.Limits(maxSize: config.logMaxSize, maxFiles: config.logMaxFiles, lineLimit: config.logLineLimit)
        let disk = self.disk
        let drain = config.logDrainTimeout
        let uts = live.uts   // keeps the namespace descriptor open during the spawn
        let run = try await BlockingCall.run { () throws(RuntimeError) -> ContainerRun in
            _ = uts
            // Any failure before the process runs ends the container as containerd does:
            // exited, 128, StartError, with the failure as the message.
            let failure: RuntimeError
            do {
                return try Self.spawnWithLogs(spawnRequest, logPath: record.logPath, limits: limits)
            } catch let spawn as SpawnFailure {
                failure = RuntimeError(.startFailed, spawn.message)
            } catch let error as RuntimeError {
                failure = error
            } catch {
                failure = RuntimeError(.internal, "\(error)")
            }
            let exit = ExitRecord(exitCode: 128, signal: nil, finishedAt: Self.now(), reason: "StartError", message: failure.message)
            try disk.write(exit, to: "\(dir)/exited.json")
            throw failure
        }
        let pid = run.process.pid
        do {
            try disk.write(StartRecord(pid: pid, startTime: ProcStat.startTime(pid), startedAt: Self.now()), to: "\(dir)/started.json")
        } catch {
            run.process.killProcessGroup()
            run.process.reap()
            throw error
        }
        table.withLock { $0.containers[containerID]?.run = run }
        let cgroups = self.cgroups
        let cgroup = "\(live.config.podCgroup)/\(containerID)"
        // What the container left running dies with it, as in a container's pid namespace.
        run.watch(logDrainTimeout: drain, afterExit: { cgroups?.killAll(cgroup) }) { exit in
            let code = exit.exitCode
            let oomKilled = (cgroups?.oomKills(cgroup) ?? 0) > 0
            let reason = oomKilled ? "OOMKilled" : code == 0 ? "Completed" : "Error"
            let record = ExitRecord(exitCode: code, signal: exit.signal, finishedAt: Self.now(), reason: reason, message: "")
            try? disk.write(record, to: "\(dir)/exited.json")
        }
    }

    /// Marks the container as starting; returns its sandbox's id and live state.
    private func claimStart(_ containerID: String) throws(RuntimeError) -> (String, LiveSandbox) {
        try table.withLock { t throws(RuntimeError) -> (String, LiveSandbox) in
            guard let c = t.containers[containerID] else { throw RuntimeError(.notFound, "container \"\(containerID)\" not found") }
            guard c.run == nil, !c.starting else { throw RuntimeError(.failedPrecondition, "container \"\(containerID)\" is not in created state") }
            guard let sandbox = t.sandboxes[c.sandboxID] else { throw RuntimeError(.notFound, "pod sandbox \"\(c.sandboxID)\" not found") }
            t.containers[containerID]?.starting = true
            return (c.sandboxID, sandbox)
        }
    }

    /// Spawns with stdout and stderr on pipes that a log copier reads. The log file is opened
    /// first, so that a log that cannot be written stops the start before any process runs.
    private static func spawnWithLogs(_ request: SpawnRequest, logPath: String, limits: LogCopier.Limits) throws -> ContainerRun {
        let file = try RotatingLogFile(path: logPath, maxSize: limits.maxSize, maxFiles: limits.maxFiles)
        let child = try PipedChild.spawn(request)
        return ContainerRun(process: child.process,
                            logs: LogCopier(stdoutFD: child.stdout, stderrFD: child.stderr, file: file, lineLimit: limits.lineLimit))
    }

    public func stopContainer(_ containerID: String, timeout: Double) async throws {
        let live = try lookup(containerID)
        if isUnadopted(containerID, live) { return try await stopUnadopted(containerID, live, timeout: timeout) }
        guard let run = live.run, !run.isRecorded else { return }
        try await BlockingCall.run {
            if timeout > 0 {
                run.process.signal(SIGTERM)
                if run.waitRecorded(timeout: timeout) { return }
            }
            run.process.killProcessGroup()
            self.killContainerCgroup(live.sandboxID, containerID)
            run.waitRecorded(timeout: nil)
        }
    }

    public func removeContainer(_ containerID: String) async throws {
        guard let live = table.withLock({ $0.containers[containerID] }) else { return }
        if isUnadopted(containerID, live) { try await stopUnadopted(containerID, live, timeout: 0) }
        if let run = live.run, !run.isRecorded {
            try await BlockingCall.run {
                run.process.killProcessGroup()
                self.killContainerCgroup(live.sandboxID, containerID)
                run.waitRecorded(timeout: nil)
            }
        }
        if let cgroups, let path = containerCgroup(live.sandboxID, containerID) {
            try await BlockingCall.run {
                cgroups.killAll(path)
                cgroups.remove(path)
            }
        }
        table.withLock { _ = $0.containers.removeValue(forKey: containerID) }
        disk.removeTree(disk.containerDir(live.sandboxID, containerID))
    }

    /// Started by an earlier kubelet and not known to have exited: `HostRuntime+Adoption`
    /// stops it by pid and start time.
    private func isUnadopted(_ containerID: String, _ live: LiveContainer) -> Bool {
        live.run == nil && (try? status(containerID, live: live).state) == .unknown
    }

    func lookup(_ containerID: String) throws(RuntimeError) -> LiveContainer {
        guard let live = table.withLock({ $0.containers[containerID] }) else {
            throw RuntimeError(.notFound, "container \"\(containerID)\" not found")
        }
        return live
    }
}

/// A started child with stdout and stderr on pipes; the caller owns the two read ends.
struct PipedChild {
    let process: ChildProcess
    let stdout: Int32
    let stderr: Int32

    /// Spawns `request` with stdout and stderr on new pipes. On failure nothing is left open
    /// or running: `SpawnFailure` from the spawn itself, `RuntimeError` otherwise.
    static func spawn(_ request: SpawnRequest) throws -> PipedChild {
        let out = try Pipe()
        let err: Pipe
        do { err = try Pipe() } catch {
            out.closeBoth()
            throw error
        }
        var request = request
        request.stdoutFD = out.write
        request.stderrFD = err.write
        let pid: Int32
        do {
            pid = try ProcessSpawner.spawn(request)
        } catch {
            out.closeBoth()
            err.closeBoth()
            throw error
        }
        close(out.write)
        close(err.write)
        do {
            return PipedChild(process: try ChildProcess(pid: pid), stdout: out.read, stderr: err.read)
        } catch {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            close(out.read)
            close(err.read)
            throw error
        }
    }
}

/// A close-on-exec pipe; the caller closes both ends.
struct Pipe {
    let read: Int32
    let write: Int32

    init() throws(RuntimeError) {
        var fds: [Int32] = [-1, -1]
        guard skiff_pipe_cloexec(&fds) == 0 else { throw RuntimeError(.internal, "pipe2: \(SpawnFailure.lowercasedError(errno))") }
        read = fds[0]
        write = fds[1]
    }

    func closeBoth() {
        close(read)
        close(write)
    }
}
