import CCE
public import Foundation
public import JobhookCore
import PostgresNIO

extension PostgresStore {
    public func addWatch(_ jobID: String, source: String, account: String, at: Date) async throws(StoreError) -> Bool {
        // A known job stays as it is (a finished job re-added must not fire again); only a watch the
        // user removed comes back to life. RETURNING tells inserted-or-revived from left alone.
        let stamp = at.timeIntervalSince1970
        return try await !rows("""
            INSERT INTO watches (job_id, source, state, added_at, account) VALUES (\(jobID), \(source), 'watching', \(stamp), \(account))
            ON CONFLICT (job_id) DO UPDATE SET state = 'watching', source = excluded.source,
                added_at = excluded.added_at, account = excluded.account
            WHERE watches.state = 'removed'
            RETURNING 1
            """).isEmpty
    }

    public func removeWatch(_ jobID: String, at: Date) async throws(StoreError) -> Bool {
        // Only a live watch becomes `removed`; a finished one keeps its outcome.
        let stamp = at.timeIntervalSince1970
        return try await !rows("""
            UPDATE watches SET state = CASE state WHEN 'watching' THEN 'removed' ELSE state END, updated_at = \(stamp)
            WHERE job_id = \(jobID)
            RETURNING 1
            """).isEmpty
    }

    public func watches() async throws(StoreError) -> [Watch] {
        try decode(try await rows("SELECT \(unescaped: Self.watchColumns) FROM watches ORDER BY added_at, job_id"), Self.watch(from:))
    }

    /// Without trees (NULL in their place): read every second by the working replica.
    public func watchingJobs() async throws(StoreError) -> [Watch] {
        try decode(try await rows("""
            SELECT job_id, source, state, added_at, updated_at, NULL::bytea, account FROM watches
            WHERE state = 'watching' ORDER BY added_at, job_id
            """), Self.watch(from:))
    }

    public func watch(_ jobID: String) async throws(StoreError) -> Watch? {
        try decode(try await rows("SELECT \(unescaped: Self.watchColumns) FROM watches WHERE job_id = \(jobID)"), Self.watch(from:)).first
    }

    public func knownPhases() async throws(StoreError) -> [String: String] {
        let pairs = try decode(try await rows("SELECT uid, phase FROM phases")) { try $0.decode((String, String).self) }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }

    /// One transaction: the phases, the watch and the deliveries, or nothing. A transaction-scoped
    /// advisory lock per job serialises records of the same job (two pollers, or a poll and a retry
    /// of it), so the open-group check and the insert that follows it cannot interleave with another.
    /// (The watch upsert's row lock would serialise them too, as it comes first; the advisory lock
    /// says so explicitly instead of depending on the order of the statements.)
    public func record(_ poll: PollRecord) async throws(StoreError) {
        let stamp = now().timeIntervalSince1970
        let tree = poll.tree.encodedJSON()
        let requests = try PostgresRows.encodeRequests(poll.deliveries, path: path)
        let uids = Array(poll.phases.keys)
        let values = uids.map { poll.phases[$0] ?? "" }
        let state = poll.watchState?.rawValue
        let now = self.now()
        let path = path
        let logger = logger
        let fence = fence
        try await transaction { connection in
            try await Self.checkFence(fence, on: connection, path: path, logger: logger)
            try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresRows.recordLockClass), hashtext(\(poll.jobID)))",
                                       logger: logger)
            try await connection.run("""
                INSERT INTO phases (uid, phase, job_id, updated_at)
                SELECT u, p, \(poll.jobID), \(stamp) FROM unnest(\(uids)::text[], \(values)::text[]) AS t(u, p)
                ON CONFLICT (uid) DO UPDATE SET phase = excluded.phase, job_id = excluded.job_id, updated_at = excluded.updated_at
                WHERE phases.phase IS DISTINCT FROM excluded.phase
                """, logger: logger)
            // A poll of a job nobody added (a `jobhook test` run) still leaves a watch behind; a
            // watch the user removed meanwhile stays removed.
            try await connection.run("""
                INSERT INTO watches (job_id, source, state, added_at, updated_at, tree)
                VALUES (\(poll.jobID), 'poll', COALESCE(\(state)::text, 'watching'), \(stamp), \(stamp), \(tree))
                ON CONFLICT (job_id) DO UPDATE SET tree = excluded.tree, updated_at = excluded.updated_at,
                    state = CASE WHEN watches.state = 'removed' OR \(state)::text IS NULL THEN watches.state ELSE \(state)::text END
                """, logger: logger)
            for (delivery, request) in zip(poll.deliveries, requests) {
                if let key = delivery.group {
                    try await PostgresRows.recordGrouped(delivery, key: key, request: request, plannedAgainst: poll.openGroups[key],
                                                         on: connection, now: now, path: path, logger: logger)
                } else {
                    try await PostgresRows.insert(delivery, request: request, on: connection, logger: logger)
                }
            }
        }
    }

    public func setWatchState(_ jobID: String, _ state: Watch.State, at: Date) async throws(StoreError) {
        let stamp = at.timeIntervalSince1970
        _ = try await rows("UPDATE watches SET state = \(state.rawValue), updated_at = \(stamp) WHERE job_id = \(jobID)")
    }

    static let watchColumns = "job_id, source, state, added_at, updated_at, tree, account"

    static func watch(from row: PostgresRow) throws -> Watch {
        let (jobID, source, state, addedAt, updatedAt, tree, account) =
            try row.decode((String, String, String, Double, Double?, Data?, String).self)
        return Watch(
            jobID: jobID, source: source, addedAt: Date(timeIntervalSince1970: addedAt),
            state: Watch.State(rawValue: state) ?? .watching, tree: try tree.map { try JSONDecoder().decode(Job.self, from: $0) },
            updatedAt: updatedAt.map(Date.init(timeIntervalSince1970:)), account: account
        )
    }
}
