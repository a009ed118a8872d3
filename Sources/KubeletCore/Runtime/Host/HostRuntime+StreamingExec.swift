import Wire
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Synchronization

/// Streaming exec for the `host` handler: the command runs as `execSync`'s does (the
/// container's environment, working directory, user, UTS namespace, cgroups and
/// oom_score_adj), with stdin, stdout and stderr on pipes the session reads and writes (or
/// on a terminal: `startOnTerminal`).
extension HostRuntime {
    public func exec(containerID: String, command: [String], tty: Bool, terminalSize: TerminalSize?, stdin: Bool) async throws -> any ExecSession {
        guard !command.isEmpty, !command[0].isEmpty else { throw RuntimeError(.invalidArgument, "exec needs a command") }
        let (spawnRequest, uts) = try execRequest(containerID, command: command)
        return try await BlockingCall.run { () throws(RuntimeError) -> HostExecSession in
            _ = uts   // keeps the namespace descriptor open during the spawn
            if tty { return try HostExecSession.startOnTerminal(spawnRequest, size: terminalSize, stdin: stdin) }
            return try HostExecSession.start(spawnRequest, stdin: stdin)
        }
    }
}

/// The pipes and process of one streaming exec.
final class HostExecSession: ExecSession, @unchecked Sendable {
    let process: ChildProcess
    /// Write end of stdin (-1 when closed or never opened), and the output read ends.
    private let stdinFD: Mutex<Int32>
    private var outputs: [(name: String, fd: Int32)]
    /// Blocking reads and writes run here, off the cooperative threads.
    private let readQueue = DispatchQueue(label: "skiff.exec.read")
    private let writeQueue = DispatchQueue(label: "skiff.exec.write")

    /// `stderr` -1: the output is one stream (a terminal's), sent as stdout.
    init(process: ChildProcess, stdin: Int32, stdout: Int32, stderr: Int32) {
        self.process = process
        stdinFD = Mutex(stdin)
        outputs = [(StreamNames.stdout, stdout)] + (stderr >= 0 ? [(StreamNames.stderr, stderr)] : [])
    }

    enum StreamNames {
        static let stdout = "stdout"
        static let stderr = "stderr"
    }

    /// A just-spawned exec, reaped on a thread of its own. When it cannot be watched, its
    /// process group is killed and reaped, and `closeDescriptors` closes the session's ends.
    static func watch(_ pid: Int32, closeDescriptors: () -> Void) throws(RuntimeError) -> ChildProcess {
        let process: ChildProcess
        do {
            process = try ChildProcess(pid: pid)
        } catch {
            Glibc.kill(-pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            closeDescriptors()
            throw error
        }
        Thread.detachNewThread { process.reap() }
        return process
    }

    static func start(_ request: SpawnRequest, stdin wantsStdin: Bool) throws(RuntimeError) -> HostExecSession {
        var pipes: [Pipe] = []
        func closeAll() { for p in pipes { p.closeBoth() } }
        do {
            for _ in 0..<(wantsStdin ? 3 : 2) { pipes.append(try Pipe()) }
        } catch {
            closeAll()
            throw error
        }
        var request = request
        request.stdoutFD = pipes[0].write
        request.stderrFD = pipes[1].write
        if wantsStdin { request.stdinFD = pipes[2].read }
        let pid: Int32
        do {
            pid = try ProcessSpawner.spawn(request)
        } catch {
            closeAll()
            throw RuntimeError(.startFailed, error.message)
        }
        close(pipes[0].write)
        close(pipes[1].write)
        if wantsStdin { close(pipes[2].read) }
        let process = try watch(pid) {
            close(pipes[0].read)
            close(pipes[1].read)
            if wantsStdin { close(pipes[2].write) }
        }
        return HostExecSession(process: process, stdin: wantsStdin ? pipes[2].write : -1, stdout: pipes[0].read, stderr: pipes[1].read)
    }

    func writeStdin(_ bytes: [UInt8]) async throws {
        let fd = stdinFD.withLock { $0 }
        guard fd >= 0 else { throw RuntimeError(.failedPrecondition, "stdin is closed") }
        let ok: Bool = await withCheckedContinuation { c in
            writeQueue.async {
                var offset = 0
                while offset < bytes.count {
                    // EPIPE, not a signal: daemons ignore SIGPIPE (`DaemonProcess`).
                    let w = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                    if w < 0 && errno == EINTR { continue }
                    if w <= 0 { c.resume(returning: false); return }
                    offset += w
                }
                c.resume(returning: true)
            }
        }
        if !ok { throw RuntimeError(.failedPrecondition, "the command closed its stdin") }
    }

    func closeStdin() {
        let fd = stdinFD.withLock { fd -> Int32 in
            defer { fd = -1 }
            return fd
        }
        guard fd >= 0 else { return }
        // After writes already queued.
        writeQueue.async { close(fd) }
    }

    func readOutput() async -> (stream: String, bytes: [UInt8])? {
        await withCheckedContinuation { c in
            readQueue.async { [self] in c.resume(returning: self.readBlocking()) }
        }
    }

    /// Polls the open outputs and reads one of them; closes each at its end. Read queue only.
    private func readBlocking() -> (stream: String, bytes: [UInt8])? {
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        while !outputs.isEmpty {
            var polls = outputs.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let n = poll(&polls, nfds_t(polls.count), -1)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { break }
            for i in outputs.indices where polls[i].revents != 0 {
                let got = buffer.withUnsafeMutableBytes { Glibc.read(outputs[i].fd, $0.baseAddress, $0.count) }
                if got < 0 && errno == EINTR { break }
                // A terminal's controller side reads EIO once the last terminal side closed.
                if got <= 0 {
                    close(outputs[i].fd)
                    outputs.remove(at: i)
                    break
                }
                return (outputs[i].name, Array(buffer[0..<got]))
            }
        }
        return nil
    }

    func wait() async -> Int32 {
        let process = process
        return await withCheckedContinuation { c in
            Thread.detachNewThread { c.resume(returning: process.wait(timeout: nil)?.exitCode ?? 137) }
        }
    }

    func kill() { process.killProcessGroup() }

    deinit {
        stdinFD.withLock { if $0 >= 0 { close($0) } }
        for o in outputs { close(o.fd) }
    }
}
