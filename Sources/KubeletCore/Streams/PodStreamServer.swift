#if canImport(Glibc)
import Glibc
#endif
import Wire

/// The kubelet's side of `ctl logs` and `ctl exec` (the apiserver's `logs`/`exec` requests
/// over the kubelet's own connection, protocol version 2). The apiserver has checked the pod
/// and resolved the container name and the pod's uid; this finds the container through the
/// runtime by its labels (`ContainerLabels`) and its log files by the log path convention.
///
/// - `logs`: writes the log's lines on `stdout` (see `ContainerLogFollower`); answers `{}`.
/// - `exec`: runs the command with the runtime's streaming exec, stdin from the caller,
///   stdout and stderr back; answers `{"exitCode": N}`. A command that cannot be started
///   answers exit code 126 with the reason on stderr (as runc's exec failure reads).
public struct PodStreamServer: Sendable {
    let runtime: any RuntimeService
    let rootDir: String

    public init(runtime: any RuntimeService, rootDir: String) {
        self.runtime = runtime
        self.rootDir = rootDir
    }

    public func handle(_ req: Request, _ channel: StreamChannel) async -> Result<JSON, Status> {
        do throws(Status) {
            guard let ns = req.namespace, let name = req.name else { throw Status.badRequest("\(req.verb.rawValue) needs a namespace and a pod name") }
            switch req.verb {
            case .logs: return .success(try await logs(ns, name, try LogOptions(json: req.body), channel))
            case .exec: return .success(try await exec(name, try ExecOptions(json: req.body), channel))
            default: throw Status.methodNotAllowed("the kubelet serves only logs and exec streams, not \(req.verb.rawValue)")
            }
        } catch {
            return .failure(error)
        }
    }

    /// The pod's containers named `container`, newest run first.
    func runs(uid: String, container: String) async -> [ContainerStatus] {
        let filter = ContainerFilter(labels: [ContainerLabels.podUID: uid, ContainerLabels.containerName: container])
        let all = (try? await runtime.listContainers(filter)) ?? []
        return all.sorted { ($0.config.attempt, $0.createdAt) > ($1.config.attempt, $1.createdAt) }
    }

    func logs(_ ns: String, _ name: String, _ o: LogOptions, _ channel: StreamChannel) async throws(Status) -> JSON {
        let quoted = "container \"\(o.container)\" in pod \"\(name)\""
        let runs = await runs(uid: o.podUID, container: o.container)
        // The newest run's log directory as the runtime knows it, else by the convention.
        let dir = runs.first.map { String($0.logPath[..<($0.logPath.lastIndex(of: "/") ?? $0.logPath.endIndex)]) }
            ?? ContainerLabels.podLogDirectory(rootDir: rootDir, namespace: ns, name: name, uid: o.podUID) + "/" + o.container
        // The newest run: the runtime's, else the highest-numbered log file left on disk.
        guard let attempt = runs.first?.config.attempt ?? Self.logNumbers(dir).max() else {
            throw Status.badRequest("\(quoted) is waiting to start - no logs yet")
        }
        let path: String
        var live: ContainerStatus? = nil
        if o.previous {
            guard attempt > 0, access("\(dir)/\(attempt - 1).log", F_OK) == 0 else {
                throw Status.badRequest("previous terminated container \"\(o.container)\" in pod \"\(name)\" not found")
            }
            path = "\(dir)/\(attempt - 1).log"
        } else {
            live = runs.first
            path = live?.logPath ?? "\(dir)/\(attempt).log"
        }
        let follower = ContainerLogFollower(path: path, options: o)
        let runtime = runtime
        do {
            try await follower.run(now: UInt64(Timestamp.nowNanos()), emit: { bytes in
                try await channel.write(StreamName.stdout, bytes)
            }, running: {
                guard let id = live?.id, !Task.isCancelled else { return false }
                return (try? await runtime.containerStatus(id))?.state == .running
            })
        } catch let s as Status {
            throw s
        } catch {
            throw Status.canceled("the log stream was cancelled")
        }
        return [:]
    }

    /// The `N` of the `N.log` files in a container's log directory.
    static func logNumbers(_ dir: String) -> [Int] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [Int] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".log"), let n = Int(name.dropLast(4)) { out.append(n) }
        }
        return out
    }

    func exec(_ name: String, _ o: ExecOptions, _ channel: StreamChannel) async throws(Status) -> JSON {
        guard let target = await runs(uid: o.podUID, container: o.container).first(where: { $0.state == .running }) else {
            throw Status.badRequest("container not found (\"\(o.container)\")")
        }
        let session: any ExecSession
        do {
            session = try await runtime.exec(containerID: target.id, command: o.command, tty: o.tty, terminalSize: o.terminalSize, stdin: o.stdin)
        } catch let e as RuntimeError where e.code == .startFailed {
            try await channel.write(StreamName.stderr, Array("exec failed: unable to start container process: \(e.message)\n".utf8))
            return ["exitCode": 126]
        } catch let e as RuntimeError {
            switch e.code {
            case .invalidArgument, .failedPrecondition: throw Status.badRequest(e.message)
            case .notFound: throw Status(code: 404, reason: Status.Reason.notFound, message: e.message)
            default: throw Status.internalError(e.message)
            }
        } catch {
            throw Status.internalError("\(error)")
        }
        let code = await withTaskCancellationHandler {
            await Self.pump(session, o.stdin, channel)
        } onCancel: {
            session.kill()
        }
        if let f = channel.failure { throw f }
        return ["exitCode": .int(Int(code))]
    }

    /// Copies stdin in and the output out until the command's output ends; its exit code.
    static func pump(_ session: any ExecSession, _ stdin: Bool, _ channel: StreamChannel) async -> Int32 {
        let input = Task {
            guard stdin else { return }
            while let chunk = await channel.read() {
                switch chunk {
                case .data(_, let bytes):
                    do { try await session.writeStdin(bytes) } catch { session.closeStdin(); return }
                case .eof:
                    session.closeStdin()
                    return
                }
            }
            session.closeStdin()
        }
        while let (stream, bytes) = await session.readOutput() {
            do { try await channel.write(stream, bytes) } catch {
                session.kill()
                break
            }
        }
        let code = await session.wait()
        input.cancel()
        return code
    }
}
