import Foundation
import JobhookCore
import Logging
import PostgresNIO

/// Versioned schema changes, applied at start-up under `pg_advisory_lock` so replicas starting at
/// once migrate exactly once. Never edit a shipped migration: add a new one. The applied versions
/// are rows of `jobhook_schema`; a version this build does not know means a newer jobhook wrote the
/// database, and start-up stops rather than run on a schema it does not understand.
///
/// PostgreSQL's v1 is SQLite's v1–v5 in one step (there was never an older PostgreSQL store), with
/// room for leases: nullable `claimed_by`/`claim_until`/`claim_token` on watches and deliveries;
/// v2 is SQLite's v6 (SMN intake message IDs); v3 the replicas' lease on the work.
enum PostgresSchema {
    struct Migration: Sendable {
        var version: Int
        /// One statement each: the extended query protocol runs one statement per query.
        var statements: [String]
    }

    /// "jobhook" in ASCII: the advisory lock key the migrations hold.
    static let lockKey: Int64 = 0x6A_6F62_686F_6F6B

    static let migrations: [Migration] = [
        Migration(version: 1, statements: [
            // Ids and job ids compare byte-wise (COLLATE "C"), as in SQLite: orderings are the same
            // whatever the database's locale.
            """
            CREATE TABLE watches (
                job_id TEXT COLLATE "C" PRIMARY KEY,
                source TEXT NOT NULL,
                state TEXT NOT NULL,
                account TEXT NOT NULL DEFAULT 'default',
                added_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION,
                tree BYTEA,
                claimed_by TEXT,
                claim_until DOUBLE PRECISION,
                claim_token BIGINT
            )
            """,
            """
            CREATE TABLE phases (
                uid TEXT COLLATE "C" PRIMARY KEY,
                phase TEXT NOT NULL,
                job_id TEXT COLLATE "C" NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX phases_by_job ON phases (job_id)",
            """
            CREATE TABLE deliveries (
                id TEXT COLLATE "C" PRIMARY KEY,
                receiver TEXT NOT NULL,
                rule TEXT NOT NULL,
                job_id TEXT COLLATE "C" NOT NULL,
                uid TEXT NOT NULL,
                transition TEXT NOT NULL,
                request BYTEA NOT NULL,
                state TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                next_attempt_at DOUBLE PRECISION NOT NULL,
                last_error TEXT,
                finished_at DOUBLE PRECISION,
                group_key TEXT COLLATE "C",
                account TEXT NOT NULL DEFAULT 'default',
                claimed_by TEXT,
                claim_until DOUBLE PRECISION,
                claim_token BIGINT
            )
            """,
            "CREATE INDEX deliveries_by_state_due ON deliveries (state, next_attempt_at)",
            // The groups that may still be open, by job (`openGroupCondition`).
            """
            CREATE INDEX deliveries_open_groups ON deliveries (job_id, next_attempt_at)
                WHERE group_key IS NOT NULL AND state = 'pending' AND attempts = 0
            """,
            "CREATE INDEX deliveries_by_receiver ON deliveries (receiver, state, created_at)",
            """
            CREATE TABLE discovery_baselines (
                account TEXT PRIMARY KEY,
                taken_at DOUBLE PRECISION NOT NULL
            )
            """,
            // `matchers` is a JSON list of [key, value, is_regex], as in SQLite.
            """
            CREATE TABLE silences (
                id TEXT COLLATE "C" PRIMARY KEY,
                matchers TEXT NOT NULL,
                starts_at DOUBLE PRECISION NOT NULL,
                ends_at DOUBLE PRECISION NOT NULL,
                created_by TEXT NOT NULL,
                comment TEXT NOT NULL
            )
            """,
            "CREATE INDEX silences_by_end ON silences (ends_at)",
        ]),
        // SQLite's v6: SMN push intake, the message IDs already acted on (pruned past max_age).
        Migration(version: 2, statements: [
            """
            CREATE TABLE intake_messages (
                message_id TEXT COLLATE "C" PRIMARY KEY,
                received_at DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX intake_messages_by_age ON intake_messages (received_at)",
        ]),
        // Replicas: the one lease on the work (`PostgresStore+Lease`). Its expiry is the server's
        // clock (timestamptz, `clock_timestamp()`), the one clock every replica sees the same.
        Migration(version: 3, statements: [
            """
            CREATE TABLE replica_lease (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                holder TEXT NOT NULL,
                epoch BIGINT NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL
            )
            """,
        ]),
    ]

    static var latest: Int { migrations.map(\.version).max() ?? 0 }

    /// Connects once (not through the pool, so a wrong password or a missing database fails at once
    /// with the server's reason instead of the pool's retries), migrates, disconnects.
    static func migrate(_ url: PostgresURL, logger: Logger) async throws(StoreError) {
        let configuration = try PostgresConnectionSettings.connection(url)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            do {
                try await migrate(on: connection, url: url, logger: logger)
                try? await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw PostgresFailure.storeError(error, url: url)
        }
    }

    /// The versions applied, under the advisory lock; then the missing ones, each in its transaction.
    static func migrate(on connection: PostgresConnection, url: PostgresURL, logger: Logger) async throws {
        try await connection.run("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
        do {
            try await connection.run("""
                CREATE TABLE IF NOT EXISTS jobhook_schema (version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)
                """, logger: logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM jobhook_schema", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            let unknown = applied.filter { $0 > latest }.sorted()
            if !unknown.isEmpty {
                throw StoreError(.newerVersion, path: url.description, message: """
                    written by a newer jobhook (schema \(unknown.map { "v\($0)" }.joined(separator: ", ")) is unknown to this \
                    build, which knows up to v\(latest)); upgrade jobhook or point state.postgres.url elsewhere
                    """)
            }
            for migration in migrations where !applied.contains(migration.version) {
                try await connection.withTransaction(logger: logger) { connection in
                    for statement in migration.statements {
                        try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    let stamp = Date().timeIntervalSince1970
                    try await connection.run("INSERT INTO jobhook_schema (version, applied_at) VALUES (\(migration.version), \(stamp))",
                                               logger: logger)
                }
                logger.info("state store migrated", metadata: ["version": "v\(migration.version)", "store": "\(url)"])
            }
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger).collect()
            throw unwrapped(error)
        }
        try await connection.run("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
    }

    /// The error inside PostgresNIO's transaction wrapper, so it maps to a `StoreError` like any other.
    static func unwrapped(_ error: any Error) -> any Error {
        guard let transaction = error as? PostgresTransactionError else { return error }
        return transaction.closureError ?? transaction.commitError ?? transaction.beginError ?? transaction.rollbackError ?? error
    }
}
