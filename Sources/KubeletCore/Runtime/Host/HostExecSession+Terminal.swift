import Wire
#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim
import Foundation

/// Exec with a terminal (`ctl exec -i -t`): the command runs on the terminal side of a new
/// pseudo-terminal, its stdin, stdout and stderr, and its controlling terminal (a new session
/// with TIOCSCTTY); the session reads and writes the controller side. As with Kubernetes'
/// tty, the output is one stream, sent as stdout, with the terminal's line discipline applied
/// (`\n` written comes out as `\r\n`).
extension HostExecSession {
    static func startOnTerminal(_ request: SpawnRequest, size: TerminalSize?, stdin wantsStdin: Bool) throws(RuntimeError) -> HostExecSession {
        var controller: Int32 = -1
        var terminal: Int32 = -1
        guard skiff_open_pty(&controller, &terminal, size?.height ?? 0, size?.width ?? 0) == 0 else {
            throw RuntimeError(.internal, "opening a terminal: \(SpawnFailure.lowercasedError(errno))")
        }
        // The command's user owns its terminal, as login does (else it cannot reopen /dev/tty).
        if let user = request.user { _ = fchown(terminal, user.uid, user.gid) }
        var request = request
        request.stdinFD = terminal
        request.stdoutFD = terminal
        request.stderrFD = terminal
        request.controllingTerminal = true
        let pid: Int32
        do {
            pid = try ProcessSpawner.spawn(request)
        } catch {
            close(terminal)
            close(controller)
            throw RuntimeError(.startFailed, error.message)
        }
        close(terminal)
        // Writes go through their own descriptor, so that closing stdin leaves the output open.
        // A terminal has no half-close: the end of stdin is not passed on (the user types ^D,
        // as on any terminal).
        let writer = wantsStdin ? fcntl(controller, F_DUPFD_CLOEXEC, 0) : -1
        let process = try watch(pid) {
            close(controller)
            if writer >= 0 { close(writer) }
        }
        return HostExecSession(process: process, stdin: writer, stdout: controller, stderr: -1)
    }
}
