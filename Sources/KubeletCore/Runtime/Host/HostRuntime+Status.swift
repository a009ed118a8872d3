/// Container statuses, derived from the records on disk.
extension HostRuntime {
    public func containerStatus(_ containerID: String) async throws -> ContainerStatus {
        try status(containerID, live: lookup(containerID))
    }

    public func listContainers(_ filter: ContainerFilter) async throws -> [ContainerStatus] {
        let entries = table.withLock { t in t.containers.filter { filter.id == nil || $0.key == filter.id } }
        var out: [ContainerStatus] = []
        for (id, live) in entries.sorted(by: { $0.key < $1.key }) {
            if let sandboxID = filter.podSandboxID, sandboxID != live.sandboxID { continue }
            guard let s = try? status(id, live: live) else { continue }
            if let state = filter.state, state != s.state { continue }
            if !filter.labels.allSatisfy({ s.config.labels[$0.key] == $0.value }) { continue }
            out.append(s)
        }
        return out
    }

    func status(_ containerID: String, live: LiveContainer) throws(RuntimeError) -> ContainerStatus {
        var live = readRecords(containerID, live)
        guard let record = live.record else {
            throw RuntimeError(.notFound, "container \"\(containerID)\" not found")
        }
        let exit = live.exit
        let start = live.start
        var s = ContainerStatus(id: containerID, podSandboxID: live.sandboxID, config: record.config, state: .created,
                                createdAt: record.createdAt, logPath: record.logPath)
        s.startedAt = start?.startedAt
        if let exit {
            s.state = .exited
            s.finishedAt = exit.finishedAt
            s.exitCode = exit.exitCode
            s.reason = exit.reason
            s.message = exit.message
        } else if let start {
            if live.run == nil, !live.starting, start.monitorPid != nil {
                // Started by a kubelet that died before it watched it, after this runtime
                // loaded the records: adopted on first sight.
                watch(containerID, sandboxID: live.sandboxID, start: start)
                live = table.withLock { $0.containers[containerID] } ?? live
            }
            // Watched (started or re-adopted here): running until the monitor records the
            // exit. A start record from before the monitor existed cannot be adopted: unknown.
            s.state = live.run != nil ? .running : .unknown
            s.pid = start.pid
        }
        return s
    }

    /// The container's live state with the records it has on disk, read only where not
    /// already known. While this kubelet watches the monitor, no exit can be known yet that
    /// matters: the monitor writes exited.json before it ends, and the watcher then counts
    /// the run as recorded, so exited.json is read only after that.
    private func readRecords(_ containerID: String, _ live: LiveContainer) -> LiveContainer {
        let dir = disk.containerDir(live.sandboxID, containerID)
        var read = live
        if read.record == nil { read.record = disk.read(ContainerRecord.self, from: "\(dir)/container.json") }
        guard read.record != nil else { return live }
        // The exit first: it is written after started.json, so a start read after it is
        // never newer than the exit.
        let watchedRunning = live.run.map { !$0.isRecorded } ?? false
        if read.exit == nil && !watchedRunning { read.exit = disk.read(ExitRecord.self, from: "\(dir)/exited.json") }
        if read.start == nil { read.start = disk.read(StartRecord.self, from: "\(dir)/started.json") }
        if (read.exit != nil && live.exit == nil) || (read.start != nil && live.start == nil) || live.record == nil {
            let (record, start, exit) = (read.record, read.start, read.exit)
            table.withLock { t in
                guard t.containers[containerID] != nil else { return }
                if t.containers[containerID]?.record == nil { t.containers[containerID]?.record = record }
                if t.containers[containerID]?.start == nil { t.containers[containerID]?.start = start }
                if t.containers[containerID]?.exit == nil { t.containers[containerID]?.exit = exit }
            }
        }
        return read
    }
}
