import Dispatch
import Foundation
import Synchronization

/// ctl's own terminal in raw mode while `exec -i -t` is attached (as kubectl's `term.TTY`):
/// keys go to the remote command as typed (^C included) and its output is shown unchanged.
/// The saved settings come back at the end, on errors (the caller's `defer`) and on
/// SIGTERM, SIGHUP, SIGINT and SIGQUIT (restored, then ctl exits 128 + the signal).
enum RawTerminal {
    private static let saved = Mutex<(fd: Int32, settings: termios)?>(nil)
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Puts `fd` (a terminal) in raw mode; false when it is not a terminal or cannot be set.
    static func enter(_ fd: Int32) -> Bool {
        var settings = termios()
        guard isatty(fd) == 1, tcgetattr(fd, &settings) == 0 else { return false }
        var raw = settings
        cfmakeraw(&raw)
        saved.withLock { $0 = (fd, settings) }
        for sig in [SIGTERM, SIGHUP, SIGINT, SIGQUIT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                restore()
                exit(128 + sig)
            }
            source.resume()
            sources.append(source)
        }
        guard tcsetattr(fd, TCSANOW, &raw) == 0 else {
            restore()
            return false
        }
        return true
    }

    /// The settings `enter` saved, back (once; later calls do nothing).
    static func restore() {
        guard let s = saved.withLock({ v -> (fd: Int32, settings: termios)? in defer { v = nil }; return v }) else { return }
        var settings = s.settings
        // TCSADRAIN: what was written in raw mode goes out before the settings change.
        _ = tcsetattr(s.fd, TCSADRAIN, &settings)
    }

    /// The size of the first of `fds` that is a terminal (kubectl asks its stdout first).
    static func size(of fds: [Int32]) -> TerminalSize? {
        for fd in fds where isatty(fd) == 1 {
            var ws = winsize()
            if ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 {
                return TerminalSize(width: ws.ws_col, height: ws.ws_row)
            }
        }
        return nil
    }
}
