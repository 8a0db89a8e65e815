public import Foundation
import GRDB

extension SQLiteStore {
    /// A group is open while it waits for its window: no attempt made and `next_attempt_at` still
    /// ahead. The dispatcher only takes rows whose time has come, so a group it may be sending is
    /// never rewritten underneath it. Served by the partial index `deliveries_open_groups`.
    static let openGroupCondition = """
        group_key IS NOT NULL AND state = 'pending' AND attempts = 0 AND next_attempt_at > ?
        """

    public func openGroups(jobID: String, now: Date) async throws(StoreError) -> [GroupKey: String] {
        try await read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, group_key FROM deliveries WHERE job_id = ? AND \(Self.openGroupCondition)
                ORDER BY created_at, id
                """, arguments: [jobID, now.timeIntervalSince1970])
            var groups: [GroupKey: String] = [:]
            while let row = try rows.next() {
                guard let key = GroupKey(storageKey: row["group_key"]) else { continue }
                if groups[key] == nil { groups[key] = row["id"] }
            }
            return groups
        }
    }

    /// Records a grouped delivery inside `record`'s transaction, checking the plan still holds:
    /// `plannedAgainst` is the open group the planner saw for its key (nil: none, so it opened
    /// `delivery.id`). Folds it into the group it was rendered for when that is still open; opens
    /// the group when none is open and none was expected (a group that already went out is kept as
    /// it is: the same change recorded again). Anything else — the expected group closed, or another
    /// one opened — throws `staleGroups`, and the caller plans again.
    static func recordGrouped(
        _ delivery: Delivery, key: GroupKey, request: Data, plannedAgainst: String?, in db: Database, now: Date, path: String
    ) throws {
        let open = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, uid FROM deliveries WHERE job_id = ? AND group_key = ? AND \(openGroupCondition)
            ORDER BY created_at, id LIMIT 1
            """), arguments: [key.jobID, key.storageKey, now.timeIntervalSince1970])
        if let open, open["id"] == delivery.id {
            guard Grouping.replaces(openUID: open["uid"], incoming: delivery) else { return }
            try db.cachedStatement(sql: "UPDATE deliveries SET request = ?, uid = ?, transition = ? WHERE id = ?")
                .execute(arguments: [request, delivery.uid, delivery.transition, delivery.id])
        } else if open == nil, plannedAgainst == nil {
            try insert(delivery, request: request, in: db)
        } else {
            let openID: String? = open?["id"]
            throw StoreError(.staleGroups, path: path, message: """
                the group_wait group for \(key) changed while a change was being planned \
                (expected \(plannedAgainst ?? "none"), open now: \(openID ?? "none")); plan it again
                """)
        }
    }
}
