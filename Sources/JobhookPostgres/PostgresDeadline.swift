import JobhookCore

/// A database call with a time limit. PostgresNIO has no per-query timeout and a request waiting
/// for a pooled connection does not heed cancellation, so the caller gets an `unreachable` error
/// once the limit passes (`firstToFinish`); the call itself ends when the pool gives up on it.
enum PostgresDeadline {
    static func within<T: Sendable>(
        _ limit: Duration, url: PostgresURL, _ work: @escaping @Sendable () async throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let late = StoreError(.unreachable, path: url.description, message: """
            PostgreSQL at \(url.address) did not answer within \(limit); check the server and the network — \
            nothing is lost, the change is tried again
            """)
        let result: Result<T, StoreError> = await firstToFinish({
            do throws(StoreError) {
                return .success(try await work())
            } catch {
                return .failure(error)
            }
        }, orAfter: limit, otherwise: .failure(late))
        return try result.get()
    }
}
