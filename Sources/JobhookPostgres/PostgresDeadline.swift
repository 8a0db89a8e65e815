import JobhookCore
import Synchronization

/// A database call with a time limit. PostgresNIO has no per-query timeout and a request waiting
/// for a pooled connection does not heed cancellation, so the call runs in a task of its own and
/// the caller gets an `unreachable` error once the limit passes; the call itself ends when the
/// pool gives up on it.
enum PostgresDeadline {
    static func within<T: Sendable>(
        _ limit: Duration, url: PostgresURL, _ work: @escaping @Sendable () async throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let outcome = Outcome<T>()
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            outcome.waiter.withLock { $0 = continuation }
            let timer = Task {
                try? await Task.sleep(for: limit)
                outcome.finish(.failure(StoreError(.unreachable, path: url.description, message: """
                    PostgreSQL at \(url.address) did not answer within \(limit); check the server and the network — \
                    nothing is lost, the change is tried again
                    """)))
            }
            Task {
                do throws(StoreError) {
                    outcome.finish(.success(try await work()))
                } catch {
                    outcome.finish(.failure(error))
                }
                timer.cancel()
            }
        }
        return try result.get()
    }
}

/// Whichever ends first — the call or the timer — resumes the caller; the other finds it gone.
private final class Outcome<T: Sendable>: Sendable {
    let waiter = Mutex<CheckedContinuation<Result<T, StoreError>, Never>?>(nil)

    func finish(_ result: Result<T, StoreError>) {
        waiter.withLock { $0.take() }?.resume(returning: result)
    }
}
