import ControllerRuntime
import Logging
import Synchronization
import Testing
import Wire

/// The workload controllers' one worker policy (`WorkQueue.process`): what each result
/// or error does to the key's back-off and which log line it leaves.
@Suite struct SyncWorkersTests {
    @Test func everyErrorIsRequeuedWithBackOffAndAConflictIsLoggedAtDebugLevel() async {
        let clock = FakeClock()
        let q = WorkQueue<String>(clock: clock)
        let lines = CapturedLog()
        let logger = Logger(label: "test") { _ in lines }
        await q.process("ns/a", logger: logger, kind: "job") { _ throws(Status) in
            throw Status.conflict(resource: "jobs", name: "a", group: "batch", "the object has been modified")
        }
        #expect(q.requeues("ns/a") == 1)
        await q.process("ns/a", logger: logger, kind: "job") { _ throws(Status) in throw Status.forbidden("quota exceeded") }
        #expect(q.requeues("ns/a") == 2)
        #expect(lines.all == ["debug job sync conflicted job=ns/a", "warning job sync failed job=ns/a"])
        // Requeued after the first back-off (5 ms; the later add of the second waits behind it).
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: 0.004)
        try? await Task.sleep(for: .milliseconds(20))
        #expect(q.count == 0)
        clock.advance(by: 0.001)
        #expect(await eventually { q.count == 1 })
        q.shutDown()
    }

    @Test func aReportedFailureRetriesQuietlyAndSuccessResetsTheBackOff() async {
        let clock = FakeClock()
        let q = WorkQueue<String>(clock: clock)
        let lines = CapturedLog()
        let logger = Logger(label: "test") { _ in lines }
        await q.process("ns/b", logger: logger, kind: "replicaset") { _ throws(Status) in .retry }
        await q.process("ns/b", logger: logger, kind: "replicaset") { _ throws(Status) in .retry }
        #expect(q.requeues("ns/b") == 2)
        await q.process("ns/b", logger: logger, kind: "replicaset") { _ throws(Status) in .done }
        #expect(q.requeues("ns/b") == 0)
        await q.process("ns/c", logger: logger, kind: "replicaset") { _ throws(Status) in .again(after: 30) }
        #expect(q.requeues("ns/c") == 0)
        #expect(lines.all == [])
        // ns/b is back after its back-off (5 ms); ns/c after its 30 s.
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: 0.005)
        #expect(await eventually { q.count == 1 })
        #expect(await q.get() == "ns/b")
        clock.advance(by: 29.98)
        try? await Task.sleep(for: .milliseconds(20))
        #expect(q.count == 0)
        clock.advance(by: 0.015)
        #expect(await eventually { q.count == 1 })
        #expect(await q.get() == "ns/c")
        #expect(SyncResult.after(nil) == .done && SyncResult.after(2) == .again(after: 2))
        q.shutDown()
    }
}

/// A log handler keeping "level message key=value" lines (metadata other than `error`).
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var all: [String] { lines.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).filter { $0.key != "error" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        lines.withLock { $0.append(([event.level.rawValue, "\(event.message)"] + fields).joined(separator: " ")) }
    }
}
