import Dispatch
import Foundation

/// A started container's live parts in this kubelet: its process, the copy of its output,
/// and whether its exit has been recorded. A watcher thread reaps the process, lets the log
/// drain, writes exited.json and only then counts the run as ended, so that whoever waits
/// on `waitRecorded` finds the exit on disk and the log complete.
final class ContainerRun: Sendable {
    let process: ChildProcess
    let logs: LogCopier
    private let recorded = DispatchGroup()

    init(process: ChildProcess, logs: LogCopier) {
        self.process = process
        self.logs = logs
        recorded.enter()
    }

    /// Starts the watcher; `afterExit` runs once the process is reaped (before the log
    /// drains), `record` writes the exit (both on the watcher's thread).
    func watch(logDrainTimeout: Double, afterExit: @escaping @Sendable () -> Void = {},
               record: @escaping @Sendable (ProcessExit) -> Void) {
        Thread.detachNewThread { [self] in
            let exit = process.reap()
            afterExit()
            logs.waitUntilDone(timeout: logDrainTimeout)
            record(exit)
            recorded.leave()
        }
    }

    /// True once the exit is recorded; blocks up to `timeout` seconds (nil: no limit).
    @discardableResult
    func waitRecorded(timeout: Double?) -> Bool {
        guard let timeout else {
            recorded.wait()
            return true
        }
        return recorded.wait(timeout: .now() + timeout) == .success
    }

    var isRecorded: Bool { waitRecorded(timeout: 0) }
}
