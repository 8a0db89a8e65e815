public import JobhookCore
public import Logging
import PostgresNIO

/// One working daemon per database until replicas share the work through leases (issue 14 is
/// building them): `run` on PostgreSQL takes a session-level advisory lock on a connection of its
/// own before it polls or delivers anything. A second daemon on the same database waits for the
/// lock instead of sending the same notifications again, and takes over by itself when the first
/// one's session ends — its process exited or was killed, so the server closed its connection.
///
/// Fail-safe: the holder checks its connection every `checkEvery`; when the check fails (the
/// database restarted, the network broke) the server may already have released the lock to
/// another daemon, so the holder stops at once (`onLost`) rather than risk working beside it.
/// A holder that is paused or partitioned away keeps its session, and with it the lock: safe,
/// but nobody takes over until its connection times out. Leases will bound that.
public final class PostgresWorkLock: Sendable {
    let connection: PostgresConnection
    let watcher: Task<Void, Never>

    /// "jobh" "work" in ASCII.
    static let key: Int64 = 0x6A6F_6268_776F_726B

    public static let checkEvery: Duration = .seconds(2)

    /// Waits until this daemon holds the lock. `onWaiting` is called once, when another holds it;
    /// `onLost` when the lock's connection fails later (the caller stops the process).
    public static func acquire(
        _ url: PostgresURL, logger: Logger, onWaiting: @escaping @Sendable () -> Void,
        onLost: @escaping @Sendable (String) -> Void
    ) async throws(StoreError) -> PostgresWorkLock {
        let configuration = try PostgresConnectionSettings.connection(url)
        var told = false
        while true {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                var held = false
                for try await granted in try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger).decode(Bool.self) {
                    held = granted
                }
                if held { return PostgresWorkLock(connection: connection, logger: logger, onLost: onLost) }
                try? await connection.close()
            } catch {
                throw PostgresFailure.storeError(error, url: url)
            }
            if !told {
                told = true
                onWaiting()
            }
            do {
                try await Task.sleep(for: checkEvery)
            } catch {
                throw StoreError(.unreachable, path: url.description, message: "stopped while waiting for the database's work lock")
            }
        }
    }

    private init(connection: PostgresConnection, logger: Logger, onLost: @escaping @Sendable (String) -> Void) {
        self.connection = connection
        watcher = Task {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: Self.checkEvery)
                    _ = try await connection.query("SELECT 1", logger: logger).collect()
                } catch is CancellationError {
                    return
                } catch {
                    onLost("the connection holding the database's work lock failed: \(String(describing: error).prefix(200))")
                    return
                }
            }
        }
    }

    /// Releases the lock (closing its connection), at shutdown.
    public func release() async {
        watcher.cancel()
        try? await connection.close()
    }
}
