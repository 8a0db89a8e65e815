public import Foundation
public import JobhookCore
import PostgresNIO

extension PostgresStore {
    public func dueDeliveries(
        now: Date, limit: Int, excluding: Set<String>, excludingReceivers: Set<String>
    ) async throws(StoreError) -> [Delivery] {
        guard limit > 0 else { return [] }
        // Ask for enough rows to make up for the in-flight ones skipped; receivers that are down are
        // left out in SQL (bound as one text[]): such a receiver may hold 100,000 due rows.
        let fetch = limit + excluding.count
        let skipped = excludingReceivers.sorted()
        let rows = try await rows("""
            SELECT \(unescaped: PostgresRows.deliveryColumns) FROM deliveries
            WHERE state = 'pending' AND next_attempt_at <= \(now.timeIntervalSince1970) AND receiver <> ALL(\(skipped)::text[])
            ORDER BY next_attempt_at, created_at, id LIMIT \(fetch)
            """)
        let due = try deliveries(rows).filter { !excluding.contains($0.id) }
        return Array(due.prefix(limit))
    }

    public func oldestPending(receiver: String, now: Date) async throws(StoreError) -> Delivery? {
        // An open group_wait window (never attempted, not yet due) is not the receiver's to send.
        try deliveries(try await rows("""
            SELECT \(unescaped: PostgresRows.deliveryColumns) FROM deliveries
            WHERE state = 'pending' AND receiver = \(receiver) AND (attempts > 0 OR next_attempt_at <= \(now.timeIntervalSince1970))
            ORDER BY created_at, id LIMIT 1
            """)).first
    }

    public func requeueInCreationOrder(receiver: String) async throws(StoreError) -> Int {
        try await count("""
            WITH moved AS (
                UPDATE deliveries SET next_attempt_at = created_at
                WHERE state = 'pending' AND receiver = \(receiver) AND attempts > 0 AND next_attempt_at > created_at
                RETURNING 1)
            SELECT count(*) FROM moved
            """)
    }

    public func nextAttemptDate() async throws(StoreError) -> Date? {
        let rows = try await rows("SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending'")
        return try decode(rows) { try $0.decode(Double?.self) }.first?.map(Date.init(timeIntervalSince1970:))
    }

    public func update(_ delivery: Delivery) async throws(StoreError) {
        guard let fence else {
            _ = try await rows("""
                UPDATE deliveries SET state = \(delivery.state.rawValue), attempts = \(delivery.attempts),
                    next_attempt_at = \(delivery.nextAttemptAt.timeIntervalSince1970), last_error = \(delivery.lastError),
                    finished_at = \(delivery.finishedAt?.timeIntervalSince1970)
                WHERE id = \(delivery.id)
                """)
            return
        }
        // Fenced in the one statement: the outcome lands only while this replica's lease stands.
        let rows = try await rows("""
            WITH lease AS (
                SELECT 1 FROM replica_lease
                WHERE id = 1 AND holder = \(fence.holder) AND epoch = \(fence.epoch) AND expires_at > clock_timestamp()),
            updated AS (
                UPDATE deliveries SET state = \(delivery.state.rawValue), attempts = \(delivery.attempts),
                    next_attempt_at = \(delivery.nextAttemptAt.timeIntervalSince1970), last_error = \(delivery.lastError),
                    finished_at = \(delivery.finishedAt?.timeIntervalSince1970)
                WHERE id = \(delivery.id) AND EXISTS (SELECT 1 FROM lease)
                RETURNING 1)
            SELECT count(*) FROM lease
            """)
        if try decode(rows, { try $0.decode(Int64.self) }).first == 0 { throw Self.fenced(path: path) }
    }

    /// Newest first; pending ones in the order they will be tried when `state` is `.pending`.
    public func deliveries(state: Delivery.State?, limit: Int) async throws(StoreError) -> [Delivery] {
        let columns = PostgresRows.deliveryColumns
        if let state {
            let order = state == .pending ? "next_attempt_at, created_at, id" : "created_at DESC, id"
            return try deliveries(try await rows("""
                SELECT \(unescaped: columns) FROM deliveries WHERE state = \(state.rawValue) ORDER BY \(unescaped: order) LIMIT \(limit)
                """))
        }
        return try deliveries(try await rows("SELECT \(unescaped: columns) FROM deliveries ORDER BY created_at DESC, id LIMIT \(limit)"))
    }

    public func delivery(_ id: String) async throws(StoreError) -> Delivery? {
        try deliveries(try await rows("SELECT \(unescaped: PostgresRows.deliveryColumns) FROM deliveries WHERE id = \(id)")).first
    }

    /// A re-driven delivery starts a fresh round of attempts and keeps its id and creation time. The
    /// row is locked (FOR UPDATE) between reading its state and rewriting it.
    public func retry(_ id: String, force: Bool, now: Date) async throws(StoreError) -> RetryOutcome {
        let logger = logger
        return try await transaction { connection in
            let rows = try await connection.query("SELECT state FROM deliveries WHERE id = \(id) FOR UPDATE", logger: logger).collect()
            guard let state = try rows.first?.decode(String.self) else { return .unknown }
            if state == Delivery.State.delivered.rawValue, !force { return .alreadyDelivered }
            try await connection.run("""
                UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = \(now.timeIntervalSince1970), finished_at = NULL
                WHERE id = \(id)
                """, logger: logger)
            return .requeued
        }
    }

    public func drop(_ id: String) async throws(StoreError) -> Bool {
        try await !rows("DELETE FROM deliveries WHERE id = \(id) RETURNING 1").isEmpty
    }

    public func prune(finishedBefore before: Date) async throws(StoreError) -> Int {
        try await count("""
            WITH gone AS (
                DELETE FROM deliveries WHERE state IN ('delivered', 'dead', 'silenced') AND finished_at < \(before.timeIntervalSince1970)
                RETURNING 1)
            SELECT count(*) FROM gone
            """)
    }

    public func pendingCount() async throws(StoreError) -> Int {
        try await count("SELECT count(*) FROM deliveries WHERE state = 'pending'")
    }

    // MARK: - Rows

    func deliveries(_ rows: [PostgresRow]) throws(StoreError) -> [Delivery] {
        let path = path
        return try decode(rows) { try PostgresRows.decodeDelivery($0, path: path) }
    }

    /// A query whose one row is one count.
    func count(_ query: PostgresQuery) async throws(StoreError) -> Int {
        try decode(try await rows(query)) { try $0.decode(Int.self) }.first ?? 0
    }
}
