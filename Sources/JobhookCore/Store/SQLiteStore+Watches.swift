import CCE
public import Foundation
import GRDB

extension SQLiteStore {
    public func addWatch(_ jobID: String, source: String, account: String, at: Date) async throws(StoreError) -> Bool {
        try await write { db in
            // A known job stays as it is (a finished job re-added must not fire again); only a watch the
            // user removed comes back to life.
            try db.execute(sql: """
                INSERT INTO watches (job_id, source, state, added_at, account) VALUES (?, ?, 'watching', ?, ?)
                ON CONFLICT (job_id) DO UPDATE SET state = 'watching', source = excluded.source,
                    added_at = excluded.added_at, account = excluded.account
                WHERE watches.state = 'removed'
                """, arguments: [jobID, source, at.timeIntervalSince1970, account])
            return db.changesCount > 0
        }
    }

    public func removeWatch(_ jobID: String, at: Date) async throws(StoreError) -> Bool {
        try await write { db in
            // Only a live watch becomes `removed`; a finished one keeps its outcome.
            try db.execute(sql: """
                UPDATE watches SET state = CASE state WHEN 'watching' THEN 'removed' ELSE state END,
                    updated_at = ?
                WHERE job_id = ?
                """, arguments: [at.timeIntervalSince1970, jobID])
            return db.changesCount > 0
        }
    }

    public func watches() async throws(StoreError) -> [Watch] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM watches ORDER BY added_at, job_id").map(Self.watch(from:))
        }
    }

    public func watch(_ jobID: String) async throws(StoreError) -> Watch? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM watches WHERE job_id = ?", arguments: [jobID]).map(Self.watch(from:))
        }
    }

    public func knownPhases() async throws(StoreError) -> [String: String] {
        try await read { db in
            var phases: [String: String] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT uid, phase FROM phases")
            while let row = try rows.next() { phases[row[0]] = row[1] }
            return phases
        }
    }

    public func record(_ poll: PollRecord) async throws(StoreError) {
        let stamp = now().timeIntervalSince1970
        let tree = poll.tree.encodedJSON()
        let requests = try encodeRequests(poll.deliveries)
        let path = path
        try await write { db in
            let phase = try db.cachedStatement(sql: """
                INSERT INTO phases (uid, phase, job_id, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (uid) DO UPDATE SET phase = excluded.phase, job_id = excluded.job_id,
                    updated_at = excluded.updated_at
                WHERE phases.phase != excluded.phase
                """)
            for (uid, value) in poll.phases {
                try phase.execute(arguments: [uid, value, poll.jobID, stamp])
            }
            // A poll of a job nobody added (a `jobhook test` run) still leaves a watch behind; a
            // watch the user removed meanwhile stays removed.
            try db.cachedStatement(sql: """
                INSERT INTO watches (job_id, source, state, added_at, updated_at, tree)
                VALUES (?, 'poll', COALESCE(?, 'watching'), ?, ?, ?)
                ON CONFLICT (job_id) DO UPDATE SET tree = excluded.tree, updated_at = excluded.updated_at,
                    state = CASE WHEN watches.state = 'removed' OR ? IS NULL THEN watches.state ELSE ? END
                """).execute(arguments: [
                    poll.jobID, poll.watchState?.rawValue, stamp, stamp, tree,
                    poll.watchState?.rawValue, poll.watchState?.rawValue,
                ])
            let now = self.now()
            for (delivery, request) in zip(poll.deliveries, requests) {
                if let key = delivery.group {
                    try Self.recordGrouped(delivery, key: key, request: request, plannedAgainst: poll.openGroups[key],
                                           in: db, now: now, path: path)
                } else {
                    try Self.insert(delivery, request: request, in: db)
                }
            }
        }
    }

    public func setWatchState(_ jobID: String, _ state: Watch.State, at: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: "UPDATE watches SET state = ?, updated_at = ? WHERE job_id = ?",
                           arguments: [state.rawValue, at.timeIntervalSince1970, jobID])
        }
    }

    static func watch(from row: Row) throws -> Watch {
        let tree: Job? = try (row["tree"] as Data?).map { try JSONDecoder().decode(Job.self, from: $0) }
        let state: String = row["state"]
        return Watch(
            jobID: row["job_id"], source: row["source"],
            addedAt: Date(timeIntervalSince1970: row["added_at"]),
            state: Watch.State(rawValue: state) ?? .watching, tree: tree,
            updatedAt: (row["updated_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            account: row["account"]
        )
    }

    // MARK: - Access with typed errors

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await writer.write(body)
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw Self.storeError(error, path: path)
        }
    }
}
