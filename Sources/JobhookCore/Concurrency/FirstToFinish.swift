import Synchronization

/// `work`'s value, or `fallback` once `timeout` passed — without waiting for `work` to end. For
/// calls that may not heed cancellation (a query to a database that went away can wait on its
/// connection pool for good): the lease keeper's asks and every PostgreSQL store call.
public func firstToFinish<T: Sendable>(
    _ work: @escaping @Sendable () async -> T, orAfter timeout: Duration, otherwise fallback: T
) async -> T {
    let race = Race<T>()
    return await withCheckedContinuation { continuation in
        race.waiter.withLock { $0 = continuation }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            race.finish(fallback)
        }
        Task {
            race.finish(await work())
            timer.cancel()
        }
    }
}

/// Whichever of the two tasks ends first resumes the waiter; the other finds it gone.
private final class Race<T: Sendable>: Sendable {
    let waiter = Mutex<CheckedContinuation<T, Never>?>(nil)

    func finish(_ value: T) {
        waiter.withLock { $0.take() }?.resume(returning: value)
    }
}
