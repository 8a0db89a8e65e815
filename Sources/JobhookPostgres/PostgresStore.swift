public import Foundation
public import JobhookCore
public import Logging
import PostgresNIO
import Synchronization

/// The `DeliveryStore` on PostgreSQL (`state.postgres`): the same semantics as `SQLiteStore`, on a
/// database several processes can share. One `PostgresClient` (a connection pool) serves every call;
/// its `run()` lives in a task the store owns, so callers need no service group of their own.
///
/// Times are stored as seconds since 1970 in `double precision`, exactly as SQLite stores them: a
/// `Date` comes back bit for bit (so `state copy` keeps every timestamp, ties order the same way, and
/// `next_attempt_at > created_at` means what it means on SQLite). All times come from jobhook's clock,
/// never the server's `now()`.
///
/// While the server is unreachable after start-up, a call waits for the pool's connection attempts
/// (PostgresNIO fails waiting requests after its 60 s circuit breaker); `LeaseKeeper` asks with a
/// timeout of its own, so `/readyz` reports the outage within seconds, and the pool reconnects by
/// itself when the server is back.
public final class PostgresStore: DeliveryStore, Sendable {
    /// Where the store lives; its `description` (password masked) is the `path` of every `StoreError`.
    public let url: PostgresURL
    let client: PostgresClient
    let runner: Task<Void, Never>
    let now: @Sendable () -> Date
    let logger: Logger
    /// The lease this process was last granted (`acquireLease`); once there is one, the work's
    /// writes are fenced by it (`PostgresStore+Lease`). nil for commands that never work.
    let grant = Mutex<ReplicaLease.Grant?>(nil)

    /// What `StoreError.path` says: the URL without its password.
    var path: String { url.description }

    /// How long opening waits for the server before giving up with an explanation.
    public static let connectTimeout: Duration = .seconds(10)

    /// Connects, migrates (under `pg_advisory_lock`, so replicas starting together migrate once) and
    /// starts the connection pool. Throws a `StoreError` naming the server, the database and what to
    /// do — never the password.
    /// - Parameter now: stamps watch and phase updates (`updated_at`); tests inject it.
    public static func open(
        _ url: PostgresURL, logger: Logger = Logger(label: "jobhook.postgres", factory: { _ in SwiftLogNoOpLogHandler() }),
        now: @escaping @Sendable () -> Date = Date.init
    ) async throws(StoreError) -> PostgresStore {
        try await PostgresSchema.migrate(url, logger: logger)
        return try PostgresStore(url: url, logger: logger, now: now)
    }

    private init(url: PostgresURL, logger: Logger, now: @escaping @Sendable () -> Date) throws(StoreError) {
        self.url = url
        self.now = now
        self.logger = logger
        let client = PostgresClient(configuration: try PostgresConnectionSettings.client(url), backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    /// Stops the pool and closes its connections.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    // MARK: - Access with typed errors

    /// Runs `body` in one transaction on one pooled connection: committed when it returns, rolled
    /// back when it throws (a `StoreError` it throws, such as `staleGroups`, comes out unchanged).
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        let logger = logger, client = client, url = url
        return try await PostgresDeadline.within(Self.answerWithin, url: url) { () throws(StoreError) in
            do {
                return try await client.withConnection { connection in
                    try await connection.run("BEGIN", logger: logger)
                    do {
                        let value = try await body(connection)
                        try await connection.run("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch {
                throw PostgresFailure.storeError(error, url: url)
            }
        }
    }

    /// One statement on a pooled connection (atomic on its own), its rows collected.
    func rows(_ query: PostgresQuery) async throws(StoreError) -> [PostgresRow] {
        let logger = logger, client = client, url = url
        return try await PostgresDeadline.within(Self.answerWithin, url: url) { () throws(StoreError) in
            do {
                return try await client.query(query, logger: logger).collect()
            } catch {
                throw PostgresFailure.storeError(error, url: url)
            }
        }
    }

    /// How long any one call waits for the database before it fails as unreachable. The pool waits
    /// for a connection without a limit of its own, and a connection lost in a server restart can
    /// leave a request waiting: a poll's record or a delivery's outcome must fail (and be tried
    /// again) instead of holding its stage up for good.
    static let answerWithin: Duration = .seconds(20)

    /// Decodes rows, turning a decoding failure into a `corrupt` error.
    func decode<T>(_ rows: [PostgresRow], _ body: (PostgresRow) throws -> T) throws(StoreError) -> [T] {
        do {
            return try rows.map(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.corrupt, path: path, message: "holds a row jobhook cannot read (\(url.masking(String(describing: error)))); was the schema changed by hand?")
        }
    }
}
