import ArgumentParser
import Dispatch
import Foundation
import Synchronization

/// `ctl logs POD|TYPE/NAME`: a container's log, streamed from its kubelet through the
/// apiserver (for a workload, one of its pods: `PodForObject`).
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print the logs for a container in a pod.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "POD, pod/POD or TYPE/NAME (deploy, rs, ds, job): one of its pods") var pod: String
    @Option(name: [.customShort("c"), .long], help: "The container (default: the pod's only one).") var container: String?
    @Option(name: .customLong("pod-running-timeout"), help: ArgumentHelp(PodRunningTimeout.help)) var podRunningTimeout = "20s"
    @Flag(name: [.customShort("f"), .long], help: "Stream the log as it grows.") var follow = false
    @Flag(name: [.customShort("p"), .long], help: "The log of the previous run of the container.") var previous = false
    @Option(help: "Lines of recent log to show; -1 for all.") var tail = -1
    @Option(help: "Only lines newer than this duration, e.g. 5s, 2m, 3h.") var since: String?
    @Flag(help: "Prefix each line with its time (RFC 3339).") var timestamps = false

    func run() async throws {
        guard tail >= -1 else { throw CtlError("--tail must be -1 (all) or a number of lines, got \(tail)") }
        let timeout = try PodRunningTimeout.seconds(podRunningTimeout)
        var options = LogOptions()
        options.container = container ?? ""
        options.follow = follow
        options.previous = previous
        options.tailLines = tail >= 0 ? tail : nil
        options.timestamps = timestamps
        if let since {
            do { options.sinceSeconds = Int(try Duration.parse(since, flag: "--since", positive: true).rounded(.up)) } catch {
                throw CtlError("\(error)")
            }
        }
        let session = try await Session.open(global)
        defer { session.close() }
        let name = try await PodForObject.podName(pod, for: .logs, session: session, timeout: timeout)
        var req = Request(verb: .logs, resource: "pods", namespace: session.settings.namespace, name: name)
        req.body = options.json
        let channel = session.connection.openStream(req, writes: [], reads: [StreamName.stdout])
        try await StreamOutput.copy(channel)
        _ = try await channel.result().get()
    }
}

/// `ctl exec POD|TYPE/NAME -- CMD ARGS`: a command in a running container; ctl exits with
/// its code.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Execute a command in a container.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "POD, pod/POD or TYPE/NAME (deploy, rs, ds, job): one of its pods") var pod: String
    @Option(name: [.customShort("c"), .long], help: "The container (default: the pod's only one).") var container: String?
    @Option(name: .customLong("pod-running-timeout"), help: ArgumentHelp(PodRunningTimeout.help)) var podRunningTimeout = "20s"
    @Flag(name: [.customShort("i"), .long], help: "Pass stdin to the command.") var stdin = false
    @Flag(name: [.customShort("t"), .long], help: "Stdin is a terminal (with -i): the command runs on a terminal.") var tty = false
    @Argument(parsing: .postTerminator, help: "-- COMMAND [ARGS...]") var command: [String] = []

    func run() async throws {
        guard !command.isEmpty else { throw CtlError("you must specify at least one command for the container") }
        let timeout = try PodRunningTimeout.seconds(podRunningTimeout)
        var options = ExecOptions(command: command)
        options.container = container ?? ""
        options.stdin = stdin
        // As kubectl: a terminal only with -i and a terminal on our stdin; -t alone is dropped.
        if tty && stdin {
            if isatty(0) == 1 {
                options.tty = true
                options.terminalSize = RawTerminal.size(of: [1, 0])
            } else {
                Output.error("Unable to use a TTY - input is not a terminal or the right kind of file")
            }
        }
        let session = try await Session.open(global)
        defer { session.close() }
        let name = try await PodForObject.podName(pod, for: .exec, session: session, timeout: timeout)
        var req = Request(verb: .exec, resource: "pods", namespace: session.settings.namespace, name: name)
        req.body = options.json
        let channel = session.connection.openStream(req, writes: stdin ? [StreamName.stdin] : [],
                                                   reads: [StreamName.stdout, StreamName.stderr])
        // Raw while attached; restored on every way out (signals: `RawTerminal`).
        if options.tty { _ = RawTerminal.enter(0) }
        defer { RawTerminal.restore() }
        if stdin { StreamOutput.forwardStandardInput(to: channel) }
        try await StreamOutput.copy(channel)
        let code = try await channel.result().get()["exitCode"].intValue ?? 0
        RawTerminal.restore()
        if code != 0 {
            Output.error("command terminated with exit code \(code)")
            throw ExitCode(Int32(truncatingIfNeeded: code))
        }
    }
}

enum StreamOutput {
    /// Writes what arrives to our stdout and stderr until the stream ends.
    static func copy(_ channel: StreamChannel) async throws {
        while let chunk = await channel.read() {
            if case .data(let name, let bytes) = chunk { RawOutput.write(bytes, to: name == StreamName.stderr ? 2 : 1) }
        }
    }

    /// Reads our stdin on a thread of its own (a read may block for long) and sends it, each
    /// write waiting for window; the end of our input half-closes the command's.
    static func forwardStandardInput(to channel: StreamChannel) {
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 32 * 1024)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                let chunk = Array(buffer[0..<n])
                let sent = DispatchSemaphore(value: 0)
                let ok = Mutex(true)
                Task {
                    do { try await channel.write(StreamName.stdin, chunk) } catch { ok.withLock { $0 = false } }
                    sent.signal()
                }
                sent.wait()
                if !ok.withLock({ $0 }) { return }
            }
            channel.closeWrite(StreamName.stdin)
        }
    }
}
