import Foundation
import JobhookCore
import Logging
import PostgresNIO

/// The rows of `deliveries`: the one INSERT, the one decoder, and the grouped record that checks a
/// plan still holds — shared by the store and `state copy`.
enum PostgresRows {
    /// First key of the per-job advisory lock `record` takes (the second is `hashtext(job_id)`), so it
    /// cannot collide with another use of two-key advisory locks.
    static let recordLockClass: Int32 = 0x6A68_0001

    static let deliveryColumns = """
        id, receiver, rule, job_id, uid, transition, request, state, attempts, created_at, next_attempt_at, \
        last_error, finished_at, group_key, account
        """

    /// The stored form of each request: sorted-key JSON, as SQLite stores it (so `state copy` moves the
    /// bytes unchanged).
    static func encodeRequests(_ deliveries: [Delivery], path: String) throws(StoreError) -> [Data] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try deliveries.map { try encoder.encode($0.request) }
        } catch {
            throw StoreError(.io, path: path, message: "cannot encode a delivery's request: \(error)")
        }
    }

    /// ON CONFLICT DO NOTHING: the id is the de-duplication key, so a change recorded twice queues once.
    static func insert(_ delivery: Delivery, request: Data, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.run("""
            INSERT INTO deliveries (id, receiver, rule, job_id, uid, transition, request, state, attempts, created_at,
                next_attempt_at, last_error, finished_at, group_key, account)
            VALUES (\(delivery.id), \(delivery.receiver), \(delivery.rule), \(delivery.jobID), \(delivery.uid),
                \(delivery.transition), \(request), \(delivery.state.rawValue), \(delivery.attempts),
                \(delivery.createdAt.timeIntervalSince1970), \(delivery.nextAttemptAt.timeIntervalSince1970),
                \(delivery.lastError), \(delivery.finishedAt?.timeIntervalSince1970), \(delivery.group?.storageKey),
                \(delivery.account))
            ON CONFLICT (id) DO NOTHING
            """, logger: logger)
    }

    /// `SQLiteStore.recordGrouped` on PostgreSQL: folds the delivery into the group it was rendered
    /// for when that is still open, opens it when none is open and none was expected, and throws
    /// `staleGroups` otherwise. The fold's UPDATE repeats the open condition, so a group that closed
    /// between the check and the write is not rewritten (and the record is refused instead).
    static func recordGrouped(
        _ delivery: Delivery, key: GroupKey, request: Data, plannedAgainst: String?, on connection: PostgresConnection,
        now: Date, path: String, logger: Logger
    ) async throws {
        let t = now.timeIntervalSince1970
        let open = try await connection.query("""
            SELECT id, uid FROM deliveries
            WHERE job_id = \(key.jobID) AND group_key = \(key.storageKey)
                AND state = 'pending' AND attempts = 0 AND next_attempt_at > \(t)
            ORDER BY created_at, id LIMIT 1
            """, logger: logger).collect().first.map { try $0.decode((String, String).self) }
        if let open, open.0 == delivery.id {
            guard Grouping.replaces(openUID: open.1, incoming: delivery) else { return }
            let changed = try await connection.query("""
                UPDATE deliveries SET request = \(request), uid = \(delivery.uid), transition = \(delivery.transition)
                WHERE id = \(delivery.id) AND state = 'pending' AND attempts = 0 AND next_attempt_at > \(t)
                RETURNING 1
                """, logger: logger).collect()
            if changed.isEmpty { throw stale(key, expected: plannedAgainst, open: nil, path: path) }
        } else if open == nil, plannedAgainst == nil {
            try await insert(delivery, request: request, on: connection, logger: logger)
        } else {
            throw stale(key, expected: plannedAgainst, open: open?.0, path: path)
        }
    }

    static func stale(_ key: GroupKey, expected: String?, open: String?, path: String) -> StoreError {
        StoreError(.staleGroups, path: path, message: """
            the group_wait group for \(key) changed while a change was being planned \
            (expected \(expected ?? "none"), open now: \(open ?? "none")); plan it again
            """)
    }

    static func decodeDelivery(_ row: PostgresRow, path: String) throws -> Delivery {
        let (id, receiver, rule, jobID, uid, transition, requestData, state, attempts, createdAt, nextAttemptAt,
             lastError, finishedAt, groupKey, account) =
            try row.decode((String, String, String, String, String, String, Data, String, Int, Double, Double,
                            String?, Double?, String?, String).self)
        let request: RenderedRequest
        do {
            request = try JSONDecoder().decode(RenderedRequest.self, from: requestData)
        } catch {
            throw StoreError(.corrupt, path: path, message: "delivery \(id) has an unreadable request (\(error)); drop it with `jobhook deliveries drop \(id)`")
        }
        return Delivery(
            id: id, receiver: receiver, rule: rule, jobID: jobID, uid: uid, transition: transition, request: request,
            state: Delivery.State(rawValue: state) ?? .pending, attempts: attempts,
            createdAt: Date(timeIntervalSince1970: createdAt), nextAttemptAt: Date(timeIntervalSince1970: nextAttemptAt),
            lastError: lastError, finishedAt: finishedAt.map(Date.init(timeIntervalSince1970:)),
            group: groupKey.flatMap(GroupKey.init(storageKey:)), account: account
        )
    }
}

extension PostgresConnection {
    /// Runs a statement whose rows (if any) nobody reads, draining them so the connection is free
    /// for the next one.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}
