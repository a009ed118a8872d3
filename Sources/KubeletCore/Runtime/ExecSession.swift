import Wire
/// A command started in a container by `RuntimeService.exec`, its streams open (CRI's
/// streaming Exec, without the HTTP server CRI puts in between). Any task; one writer of
/// stdin and one reader of the output at a time.
public protocol ExecSession: Sendable {
    /// Writes to the command's stdin (throws once the command stopped reading it).
    func writeStdin(_ bytes: [UInt8]) async throws
    /// The command sees the end of its input.
    func closeStdin()
    /// The next bytes the command wrote, with the stream (`stdout`, `stderr`); nil once
    /// both are closed.
    func readOutput() async -> (stream: String, bytes: [UInt8])?
    /// Waits for the command to end; its exit code (128 + signal when a signal ended it).
    func wait() async -> Int32
    /// Kills the command (and what it left in its process group).
    func kill()
}

extension RuntimeService {
    /// Runtimes without streaming exec refuse it.
    public func exec(containerID: String, command: [String], tty: Bool, terminalSize: TerminalSize?, stdin: Bool) async throws -> any ExecSession {
        throw RuntimeError(.invalidArgument, "this runtime does not support streaming exec")
    }
}
