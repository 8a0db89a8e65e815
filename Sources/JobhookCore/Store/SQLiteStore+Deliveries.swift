public import Foundation
import GRDB

extension SQLiteStore {
    public func dueDeliveries(
        now: Date, limit: Int, excluding: Set<String>, excludingReceivers: Set<String>
    ) async throws(StoreError) -> [Delivery] {
        guard limit > 0 else { return [] }
        // Ask for enough rows to make up for the in-flight ones skipped, so the index does the work and
        // no id list is ever spliced into SQL. Receivers (a few names, bound as arguments) are left out
        // in SQL: a receiver that is down may hold 100,000 due rows.
        let fetch = limit + excluding.count
        let path = path
        return try await read { db in
            let skipped = excludingReceivers.sorted()
            let filter = skipped.isEmpty ? "" : "AND receiver NOT IN (\(Array(repeating: "?", count: skipped.count).joined(separator: ", ")))"
            var arguments: StatementArguments = [now.timeIntervalSince1970]
            arguments += StatementArguments(skipped)
            arguments += [fetch]
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT * FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ? \(filter)
                ORDER BY next_attempt_at, created_at, id LIMIT ?
                """), arguments: arguments)
            var due: [Delivery] = []
            while let row = try rows.next(), due.count < limit {
                if excluding.contains(row["id"]) { continue }
                due.append(try Self.decode(row, path: path))
            }
            return due
        }
    }

    public func oldestPending(receiver: String, now: Date) async throws(StoreError) -> Delivery? {
        let path = path
        return try await read { db in
            // An open group_wait window (never attempted, not yet due) is not the receiver's to send.
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM deliveries WHERE state = 'pending' AND receiver = ? AND (attempts > 0 OR next_attempt_at <= ?)
                ORDER BY created_at, id LIMIT 1
                """), arguments: [receiver, now.timeIntervalSince1970]).map { try Self.decode($0, path: path) }
        }
    }

    public func requeueInCreationOrder(receiver: String) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: """
                UPDATE deliveries SET next_attempt_at = created_at
                WHERE state = 'pending' AND receiver = ? AND attempts > 0 AND next_attempt_at > created_at
                """, arguments: [receiver])
            return db.changesCount
        }
    }

    public func nextAttemptDate() async throws(StoreError) -> Date? {
        try await read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending'")
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    public func update(_ delivery: Delivery) async throws(StoreError) {
        let arguments: StatementArguments = [
            delivery.state.rawValue, delivery.attempts, delivery.nextAttemptAt.timeIntervalSince1970,
            delivery.lastError, delivery.finishedAt?.timeIntervalSince1970, delivery.id,
        ]
        // One statement is atomic on its own: skip the BEGIN/COMMIT round of `write`.
        do {
            try await writer.writeWithoutTransaction { db in
                try db.cachedStatement(sql: """
                    UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, finished_at = ?
                    WHERE id = ?
                    """).execute(arguments: arguments)
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// Newest first; pending ones in the order they will be tried when `state` is `.pending`.
    public func deliveries(state: Delivery.State?, limit: Int) async throws(StoreError) -> [Delivery] {
        let path = path
        return try await read { db in
            let rows: RowCursor
            if let state {
                let order = state == .pending ? "next_attempt_at, created_at, id" : "created_at DESC, id"
                rows = try Row.fetchCursor(db, sql: "SELECT * FROM deliveries WHERE state = ? ORDER BY \(order) LIMIT ?",
                                           arguments: [state.rawValue, limit])
            } else {
                rows = try Row.fetchCursor(db, sql: "SELECT * FROM deliveries ORDER BY created_at DESC, id LIMIT ?",
                                           arguments: [limit])
            }
            var result: [Delivery] = []
            while let row = try rows.next() { result.append(try Self.decode(row, path: path)) }
            return result
        }
    }

    public func delivery(_ id: String) async throws(StoreError) -> Delivery? {
        let path = path
        return try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM deliveries WHERE id = ?", arguments: [id]).map { row in
                try Self.decode(row, path: path)
            }
        }
    }

    /// A re-driven delivery starts a fresh round of attempts (so `max_attempts` applies anew) and keeps
    /// its id and creation time, so receivers still dedup it and latency stays honest.
    public func retry(_ id: String, force: Bool, now: Date) async throws(StoreError) -> RetryOutcome {
        try await write { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM deliveries WHERE id = ?", arguments: [id]) else {
                return .unknown
            }
            if state == Delivery.State.delivered.rawValue, !force { return .alreadyDelivered }
            try db.execute(sql: """
                UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, finished_at = NULL
                WHERE id = ?
                """, arguments: [now.timeIntervalSince1970, id])
            return .requeued
        }
    }

    public func drop(_ id: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM deliveries WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func prune(finishedBefore before: Date) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: """
                DELETE FROM deliveries WHERE state IN ('delivered', 'dead', 'silenced') AND finished_at < ?
                """, arguments: [before.timeIntervalSince1970])
            return db.changesCount
        }
    }

    public func pendingCount() async throws(StoreError) -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deliveries WHERE state = 'pending'") ?? 0
        }
    }

    // MARK: - Rows

    func encodeRequests(_ deliveries: [Delivery]) throws(StoreError) -> [Data] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try deliveries.map { try encoder.encode($0.request) }
        } catch {
            throw StoreError(.io, path: path, message: "cannot encode a delivery's request: \(error)")
        }
    }

    /// The one INSERT of a delivery. OR IGNORE: the id is the de-duplication key, so a change recorded
    /// twice queues once.
    static func insert(_ delivery: Delivery, request: Data, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO deliveries (id, receiver, rule, job_id, uid, transition, request, state,
                attempts, created_at, next_attempt_at, last_error, finished_at, group_key, account)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                delivery.id, delivery.receiver, delivery.rule, delivery.jobID, delivery.uid, delivery.transition,
                request, delivery.state.rawValue, delivery.attempts, delivery.createdAt.timeIntervalSince1970,
                delivery.nextAttemptAt.timeIntervalSince1970, delivery.lastError,
                delivery.finishedAt?.timeIntervalSince1970, delivery.group?.storageKey, delivery.account,
            ])
    }

    static func decode(_ row: Row, path: String) throws(StoreError) -> Delivery {
        let id: String = row["id"]
        let request: RenderedRequest
        do {
            request = try JSONDecoder().decode(RenderedRequest.self, from: row["request"] as Data)
        } catch {
            throw StoreError(.corrupt, path: path, message: "delivery \(id) has an unreadable request (\(error)); drop it with `jobhook deliveries drop \(id)`")
        }
        let state: String = row["state"]
        return Delivery(
            id: id, receiver: row["receiver"], rule: row["rule"], jobID: row["job_id"], uid: row["uid"],
            transition: row["transition"], request: request, state: Delivery.State(rawValue: state) ?? .pending,
            attempts: row["attempts"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]), lastError: row["last_error"],
            finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            group: (row["group_key"] as String?).flatMap(GroupKey.init(storageKey:)),
            account: row["account"]
        )
    }
}
