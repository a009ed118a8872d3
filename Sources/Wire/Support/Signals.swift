import Foundation
import Synchronization

/// Waiting for SIGTERM or SIGINT, for daemons' graceful shutdown.
public enum Signals {
    private struct Waiters {
        var installed = false
        var fired = false
        var next = 0
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private static let state = Mutex(Waiters())
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Returns when the process gets SIGTERM or SIGINT (which then no longer kill it), or
    /// when the calling task is cancelled.
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

    nonisolated private static func install() {
        let first = state.withLock { s -> Bool in
            defer { s.installed = true }
            return !s.installed
        }
        guard first else { return }
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        let queue = DispatchQueue(label: "signals")
        for sig in [SIGTERM, SIGINT] {
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler {
                let all = state.withLock { st -> [CheckedContinuation<Void, Never>] in
                    st.fired = true
                    defer { st.waiting.removeAll() }
                    return Array(st.waiting.values)
                }
                for c in all { c.resume() }
            }
            s.resume()
            sources.append(s)
        }
    }
}
