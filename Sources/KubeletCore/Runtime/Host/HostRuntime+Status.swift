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
        let dir = disk.containerDir(live.sandboxID, containerID)
        guard let record = disk.read(ContainerRecord.self, from: "\(dir)/container.json") else {
            throw RuntimeError(.notFound, "container \"\(containerID)\" not found")
        }
        // The exit first: it is written after started.json, so a start read after it is
        // never newer than the exit.
        let exit = disk.read(ExitRecord.self, from: "\(dir)/exited.json")
        let start = disk.read(StartRecord.self, from: "\(dir)/started.json")
        var live = live
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
}
