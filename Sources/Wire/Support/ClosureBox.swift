/// A closure held by reference. Closures kept in a `Mutex` are stored through a generic
/// `inout` and come back wrapped in one more reabstraction thunk on every access; read in a
/// loop, the thunks nest until the stack overflows. A class reference has no such problem.
public final class ClosureBox<F: Sendable>: Sendable {
    public let call: F
    public init(_ f: F) { call = f }
}
