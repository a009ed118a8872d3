import Foundation

/// Runs blocking code (raw socket reads) on a thread outside the cooperative pool, so it
/// cannot starve the async code it is testing against.
public func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in
        Thread.detachNewThread { c.resume(with: Result { try body() }) }
    }
}
