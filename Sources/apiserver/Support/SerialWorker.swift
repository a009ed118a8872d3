import Foundation

/// One thread running submitted work in submission order.
final class SerialWorker: @unchecked Sendable {
    private let cond = NSCondition()
    private var work: [@Sendable () -> Void] = []
    private var busy = false

    init(name: String) { Self.start(self, name: name) }

    nonisolated private static func start(_ w: SerialWorker, name: String) {
        let t = Thread { w.loop() }
        t.name = name
        t.start()
    }

    func run(_ item: @escaping @Sendable () -> Void) {
        cond.lock()
        work.append(item)
        cond.broadcast()
        cond.unlock()
    }

    /// Waits until everything submitted so far has run.
    func drain() {
        cond.lock()
        while !work.isEmpty || busy { cond.wait() }
        cond.unlock()
    }

    private func loop() {
        while true {
            cond.lock()
            while work.isEmpty { cond.wait() }
            let items = work
            work.removeAll(keepingCapacity: true)
            busy = true
            cond.unlock()
            for i in items { i() }
            cond.lock()
            busy = false
            cond.broadcast()
            cond.unlock()
        }
    }
}
