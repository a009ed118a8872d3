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
        let record = ContainerRecord(podSandboxID: podSandboxID, config: container, createdAt: Self.now(), logPath: logPath)
        do {
            try disk.createDirectory(String(logPath[..<logPath.lastIndex(of: "/")!]))
            try disk.createDirectory(dir)
            try disk.write(record, to: "\(dir)/container.json")
        } catch {
            disk.removeTree(dir)
            throw error
        }
        images.record(container.image)
        cgroups?.create("\(sandbox.podCgroup)/\(id)", resources: container.resources, parent: false)
        table.withLock { $0.containers[id] = LiveContainer(sandboxID: podSandboxID, record: record) }
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
        let disk = self.disk
        let uts = live.uts   // keeps the namespace descriptor open during the spawn
        let monitor = try makeMonitor(dir: dir, logPath: record.logPath, sandbox: live.config, containerID: containerID)
        let start = try await BlockingCall.run { () throws(RuntimeError) -> StartRecord in
            _ = uts
            // Any failure before the process runs ends the container as containerd does:
            // exited, 128, StartError, with the failure as the message.
            let failure: RuntimeError
            do {
                _ = try monitor.start(spawnRequest)
                if let start = disk.read(StartRecord.self, from: "\(dir)/started.json") { return start }
                failure = RuntimeError(.internal, "container monitor reported a start but \(dir)/started.json is unreadable")
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
        watch(containerID, sandboxID: sandboxID, start: start)
    }

    /// The monitor that will start this container (its log, limits and cgroup files).
    private func makeMonitor(dir: String, logPath: String, sandbox: PodSandboxConfig, containerID: String) throws(RuntimeError) -> ContainerMonitor {
        guard let executable = config.monitorExecutable else {
            throw RuntimeError(.internal, "the container monitor skiff-monitor is not installed beside the kubelet (HostRuntimeConfig.monitorExecutable)")
        }
        var monitor = ContainerMonitor(executable: executable, stateDir: dir, logPath: logPath, maxSize: config.logMaxSize,
                                       maxFiles: config.logMaxFiles, lineLimit: config.logLineLimit, drainTimeout: config.logDrainTimeout)
        if let cgroups {
            let path = "\(sandbox.podCgroup)/\(containerID)"
            monitor.cgroupKillFile = cgroups.killFile(path)
            monitor.oomFile = cgroups.oomKillFile(path)
        }
        return monitor
    }

    /// Watches the container's monitor (started here or by an earlier kubelet) until it ends;
    /// a container already watched (or a runtime shut down) is left as it is.
    func watch(_ containerID: String, sandboxID: String, start: StartRecord) {
        let run = MonitoredContainer(start: start)
        let adopted = table.withLock { t -> Bool in
            guard !t.shutDown, let live = t.containers[containerID], live.run == nil else { return false }
            t.containers[containerID]?.run = run
            t.containers[containerID]?.start = start
            return true
        }
        guard adopted else { return }
        let disk = self.disk
        let dir = disk.containerDir(sandboxID, containerID)
        let cgroups = self.cgroups
        let cgroup = containerCgroup(sandboxID, containerID)
        run.watch(stopFD: stopWatching.read) {
            // The monitor killed what the container left and wrote the exit; this catches what
            // its kill could not (a v1 tree without cgroup.kill: the freezer is used here).
            if let cgroups, let cgroup { cgroups.killAll(cgroup) }
            if disk.read(ExitRecord.self, from: "\(dir)/exited.json") == nil {
                // The monitor was killed: the exit is lost. Nothing of the container may
                // outlive it unwatched (containerd reports 255 when a shim dies).
                run.signal(SIGKILL, group: true)
                let record = ExitRecord(exitCode: 255, signal: nil, finishedAt: Self.now(), reason: "Error",
                                        message: "container monitor ended without recording the container's exit")
                try? disk.write(record, to: "\(dir)/exited.json")
            }
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

    public func stopContainer(_ containerID: String, timeout: Double) async throws {
        let live = try refuseUnadopted(containerID, lookup(containerID))
        guard let run = live.run, !run.isRecorded else { return }
        try await BlockingCall.run {
            if timeout > 0 {
                run.signal(SIGTERM)
                if run.waitRecorded(timeout: timeout) { return }
            }
            run.signal(SIGKILL, group: true)
            self.killContainerCgroup(live.sandboxID, containerID)
            run.waitRecorded(timeout: nil)
        }
    }

    public func removeContainer(_ containerID: String) async throws {
        guard let found = table.withLock({ $0.containers[containerID] }) else { return }
        let live = try refuseUnadopted(containerID, found)
        if let run = live.run, !run.isRecorded {
            try await BlockingCall.run {
                run.signal(SIGKILL, group: true)
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

    /// A container whose start record predates the monitor (no monitor to adopt) and that has
    /// not exited cannot be stopped or removed: forgetting it would orphan it.
    /// Returns the container's live state, after adopting it when its monitor started it
    /// after this runtime loaded the records (see `status`).
    private func refuseUnadopted(_ containerID: String, _ live: LiveContainer) throws(RuntimeError) -> LiveContainer {
        guard live.run == nil else { return live }
        if try status(containerID, live: live).state == .unknown {
            throw RuntimeError(.failedPrecondition, "container \"\(containerID)\" was started by an earlier kubelet without a monitor and cannot be adopted")
        }
        return table.withLock { $0.containers[containerID] } ?? live
    }

    func lookup(_ containerID: String) throws(RuntimeError) -> LiveContainer {
        guard let live = table.withLock({ $0.containers[containerID] }) else {
            throw RuntimeError(.notFound, "container \"\(containerID)\" not found")
        }
        return live
    }
}
