import Foundation

/// Runs blocking work (fork, waits, pipe reads) on a thread of its own, so that it never
/// occupies one of the few cooperative threads the async tasks share.
enum BlockingCall {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(RuntimeError) -> T) async throws(RuntimeError) -> T {
        let result = await withCheckedContinuation { (c: CheckedContinuation<Result<T, RuntimeError>, Never>) in
            Thread.detachNewThread {
                do throws(RuntimeError) {
                    c.resume(returning: .success(try body()))
                } catch {
                    c.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
