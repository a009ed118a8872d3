/// A de-duplicating queue of keys for controllers: adding a key already waiting is a no-op;
/// `add(_:after:)` schedules a retry.
actor WorkQueue<Key: Hashable & Sendable> {
    private var order: [Key] = []
    private var waiting: Set<Key> = []
    private var consumer: CheckedContinuation<Key?, Never>?

    func add(_ key: Key) {
        if let c = consumer {
            consumer = nil
            c.resume(returning: key)
            return
        }
        if waiting.insert(key).inserted { order.append(key) }
    }

    nonisolated func add(_ key: Key, after seconds: Double) async {
        Task {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            await self.add(key)
        }
    }

    /// The next key; nil if the task is cancelled while waiting.
    func next() async -> Key? {
        if !order.isEmpty {
            let k = order.removeFirst()
            waiting.remove(k)
            return k
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { c in consumer = c }
        } onCancel: {
            Task { await self.cancelWaiter() }
        }
    }

    private func cancelWaiter() {
        consumer?.resume(returning: nil)
        consumer = nil
    }
}
