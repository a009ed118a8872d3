import Foundation

/// A few threads of their own for work that blocks: SQLite reads, waits for a read
/// connection, and the CPU-heavy preparation of updates. Swift's cooperative pool has one
/// thread per core; work that blocks there stalls every task in the process.
///
/// Thread-safety: `run` and `perform` from any thread.
final class BlockingPool: @unchecked Sendable {
    private let cond = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var head = 0
    private var stopping = false

    init(name: String, threads: Int) {
        for i in 0..<max(1, threads) { Self.start(self, name: "\(name)-\(i)") }
    }

    nonisolated private static func start(_ p: BlockingPool, name: String) {
        let t = Thread { p.loop() }
        t.name = name
        t.start()
    }

    /// Queues `job`; it runs on one of the pool's threads, in submission order of starting.
    func run(_ job: @escaping @Sendable () -> Void) {
        cond.lock()
        if stopping {
            cond.unlock()
            job()
            return
        }
        queue.append(job)
        cond.signal()
        cond.unlock()
    }

    /// Runs `body` on the pool and awaits its result without holding a cooperative thread.
    func perform<R: Sendable>(_ body: @escaping @Sendable () throws(Status) -> R) async throws(Status) -> R {
        let r: Result<R, Status> = await withCheckedContinuation { c in
            run {
                do throws(Status) { c.resume(returning: .success(try body())) } catch { c.resume(returning: .failure(error)) }
            }
        }
        return try r.get()
    }

    /// Lets the threads finish what is queued and exit; later jobs run on their caller.
    func stop() {
        cond.lock()
        stopping = true
        cond.broadcast()
        cond.unlock()
    }

    private func loop() {
        while true {
            cond.lock()
            while head == queue.count && !stopping { cond.wait() }
            if head == queue.count {
                cond.unlock()
                return
            }
            let job = queue[head]
            head += 1
            // Drop run jobs now and then, so the queue does not grow for ever.
            if head == queue.count || head > 1024 {
                queue.removeFirst(head)
                head = 0
            }
            cond.unlock()
            job()
        }
    }
}
