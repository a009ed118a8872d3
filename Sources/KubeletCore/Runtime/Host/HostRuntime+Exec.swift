#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Wire

/// execSync: a command in a running container's context, its output captured.
extension HostRuntime {
    /// Each stream keeps at most this much; the rest is read and dropped (CRI's exec limit).
    static let execOutputLimit = 16 * 1024 * 1024

    public func execSync(_ containerID: String, command: [String], timeout: Double) async throws -> ExecSyncResult {
        guard !command.isEmpty, !command[0].isEmpty else { throw RuntimeError(.invalidArgument, "exec needs a command") }
        let (spawnRequest, uts) = try execRequest(containerID, command: command)
        return try await BlockingCall.run { () throws(RuntimeError) -> ExecSyncResult in
            _ = uts   // keeps the namespace descriptor open during the spawn
            return try Self.runCapturing(spawnRequest, timeout: timeout)
        }
    }

    /// The spawn of a command in a running container's context (execSync, exec, exec hooks):
    /// its environment, working directory, user, UTS namespace, cgroups and oom_score_adj.
    /// The namespace holder returned must stay referenced until the spawn is done.
    func execRequest(_ containerID: String, command: [String]) throws(RuntimeError) -> (SpawnRequest, PodUTSNamespace?) {
        let live = try lookup(containerID)
        guard let run = live.run, !run.isRecorded, let sandbox = table.withLock({ $0.sandboxes[live.sandboxID] }),
              let record = disk.read(ContainerRecord.self, from: "\(disk.containerDir(live.sandboxID, containerID))/container.json") else {
            throw RuntimeError(.failedPrecondition, "container \"\(containerID)\" is not running")
        }
        var request = SpawnRequest(
            argv: command,
            env: ContainerProcessSpec.environment(record.config.env, hostname: sandbox.config.hostname),
            workingDir: ContainerProcessSpec.workingDir(record.config),
            user: ContainerProcessSpec.user(record.config.user),
            utsNamespaceFD: sandbox.uts?.fd ?? -1)
        joinContainer(&request, sandbox: sandbox.config, containerID: containerID, config: record.config)
        return (request, sandbox.uts)
    }

    private static func runCapturing(_ request: SpawnRequest, timeout: Double) throws(RuntimeError) -> ExecSyncResult {
        let deadline = timeout > 0 ? Monotonic.seconds() + timeout : nil
        let child: PipedChild
        do {
            child = try PipedChild.spawn(request)
        } catch let e as SpawnFailure {
            throw RuntimeError(.startFailed, e.message)
        } catch let e as RuntimeError {
            throw e
        } catch {
            throw RuntimeError(.internal, "\(error)")
        }
        let process = child.process
        Thread.detachNewThread { process.reap() }
        var output = CapturedOutput(fds: [child.stdout, child.stderr])
        let drained = output.read(until: deadline)
        let remaining = deadline.map { max(0, $0 - Monotonic.seconds()) }
        guard drained, let exit = process.wait(timeout: remaining) else {
            output.closeAll()
            process.killProcessGroup()
            _ = process.wait(timeout: nil)
            throw RuntimeError(.deadlineExceeded, "command \(request.argv) timed out after \(Self.seconds(timeout))")
        }
        output.closeAll()
        return ExecSyncResult(exitCode: exit.exitCode, stdout: output.captured[0], stderr: output.captured[1])
    }

    private static func seconds(_ t: Double) -> String {
        t == t.rounded() ? "\(Int(t))s" : "\(t)s"
    }
}

/// Reads an exec's stdout and stderr until both end or a deadline passes.
struct CapturedOutput {
    var fds: [Int32]
    var captured: [[UInt8]]

    init(fds: [Int32]) {
        self.fds = fds
        captured = fds.map { _ in [] }
    }

    /// True when every stream ended before `deadline` (Monotonic seconds; nil: none).
    mutating func read(until deadline: Double?) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while fds.contains(where: { $0 >= 0 }) {
            var wait: Int32 = -1
            if let deadline {
                let left = deadline - Monotonic.seconds()
                if left <= 0 { return false }
                wait = Int32(min(left * 1000 + 1, Double(Int32.max)))
            }
            var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let n = poll(&polls, nfds_t(polls.count), wait)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return false }
            for i in fds.indices where fds[i] >= 0 && polls[i].revents != 0 {
                let got = buffer.withUnsafeMutableBytes { Glibc.read(fds[i], $0.baseAddress, $0.count) }
                if got < 0 && errno == EINTR { continue }
                if got <= 0 {
                    close(fds[i])
                    fds[i] = -1
                } else {
                    let room = HostRuntime.execOutputLimit - captured[i].count
                    if room > 0 { captured[i] += buffer[0..<min(got, room)] }
                }
            }
        }
        return true
    }

    mutating func closeAll() {
        for i in fds.indices where fds[i] >= 0 {
            close(fds[i])
            fds[i] = -1
        }
    }
}
