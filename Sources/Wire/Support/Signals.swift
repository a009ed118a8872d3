import Foundation

/// Waiting for SIGTERM or SIGINT, for daemons' graceful shutdown.
public enum Signals {
    /// Returns when the process gets SIGTERM or SIGINT (both stop killing the process).
    public static func waitForTermination() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Self.install(c)
        }
    }

    nonisolated private static func install(_ c: CheckedContinuation<Void, Never>) {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        let once = OnceFlag()
        let queue = DispatchQueue(label: "signals")
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler {
                if once.take() { c.resume() }
            }
            s.resume()
            sources.append(s)
        }
        Retained.keep(sources)
    }
}

final class OnceFlag: @unchecked Sendable {
    private var done = false
    private let lock = NSLock()
    func take() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }
}

/// Keeps signal sources alive for the life of the process.
enum Retained {
    nonisolated(unsafe) static var objects: [Any] = []
    static func keep(_ o: Any) { objects.append(o) }
}
