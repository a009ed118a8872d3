import Synchronization

/// How many connection sockets this process may hold at once: the open-file limit minus
/// `reserve`. A process must never actually run out of descriptors: besides every open or
/// socket call failing, libdispatch's worker-pool monitor opens `/proc/.../stat` files and
/// traps (SIGILL) when it cannot. So connections are refused (server) or not dialed
/// (client) once the budget is spent, leaving the reserve for the database, logs, the
/// event loops and the runtime.
///
/// Thread-safety: any thread.
public enum DescriptorBudget {
    /// Descriptors kept for everything but connections. 128.
    public static let reserve = 128
    private static let inUse = Atomic<Int>(0)

    /// Connection sockets allowed now (the soft limit may be raised while running).
    public static var limit: Int { max(16, Int(min(OpenFileLimit.current.soft, UInt64(Int32.max))) - reserve) }

    /// Connection sockets held now.
    public static var count: Int { inUse.load(ordering: .relaxed) }

    /// Takes one slot; false when the budget is spent (nothing taken).
    public static func take() -> Bool {
        let n = inUse.add(1, ordering: .relaxed).newValue
        if n > limit {
            inUse.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Returns a slot taken with `take`.
    public static func give() { inUse.subtract(1, ordering: .relaxed) }

    /// The error for a connection not made because the budget is spent.
    public static func exhausted(_ call: String) -> Errno {
        Errno(EMFILE_CODE, call: "\(call) (open-file limit minus \(reserve) reserved reached)")
    }

    private static let EMFILE_CODE: Int32 = 24
}
