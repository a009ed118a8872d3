import Foundation
import Synchronization

/// Waiting for SIGTERM or SIGINT, for daemons' graceful shutdown.
///
/// A real handler (a self-pipe), installed by `DaemonProcess.prepare` before anything else
/// starts: whichever thread the kernel picks runs it, and it only writes a byte that a
/// thread of its own reads. A signal that comes before anyone waits is remembered, so a
/// SIGTERM at any moment after `prepare` ends the daemon. (A dispatch signal source is not
/// enough on Linux: it reads a signalfd while the signal is ignored, and a SIGTERM that
/// reaches a thread which does not block it, or comes before the source is armed, is lost.)
public enum Signals {
    private struct Waiters {
        var installed = false
        var fired = false
        var next = 0
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private static let state = Mutex(Waiters())
    /// The self-pipe's write end; set once, before the handler is installed.
    nonisolated(unsafe) private static var wakeFD: Int32 = -1

    /// Returns when the process gets SIGTERM or SIGINT (which then no longer kill it), or
    /// when the calling task is cancelled. Returns at once if one came already.
    public static func waitForTermination() async {
        install()
        let id = state.withLock { s -> Int in s.next += 1; return s.next }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.fired || Task.isCancelled { return true }
                    s.waiting[id] = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.resume()
        }
    }

    /// Installs the SIGTERM and SIGINT handlers (once; later calls do nothing).
    public static func install() {
        let first = state.withLock { s -> Bool in
            defer { s.installed = true }
            return !s.installed
        }
        guard first else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { fatalError("pipe: errno \(errno)") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // The handler must never block: a full pipe already says "terminate".
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        wakeFD = fds[1]
        let readFD = fds[0]
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let n = read(readFD, &byte, 1)
                if n == 1 { break }
                if n < 0 && errno == EINTR { continue }
                return   // cannot happen: the write end is never closed
            }
            fire()
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            let saved = errno
            var byte: UInt8 = 1
            _ = write(Signals.wakeFD, &byte, 1)
            errno = saved
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        for sig in [SIGTERM, SIGINT] { sigaction(sig, &action, nil) }
    }

    private static func fire() {
        let all = state.withLock { st -> [CheckedContinuation<Void, Never>] in
            st.fired = true
            defer { st.waiting.removeAll() }
            return Array(st.waiting.values)
        }
        for c in all { c.resume() }
    }
}
