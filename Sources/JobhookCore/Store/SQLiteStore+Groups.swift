import Foundation
import GRDB

extension SQLiteStore {
    /// Records a grouped delivery inside `record`'s transaction: folds it into the open group of its
    /// job, rule and receiver when there is one, else opens a group. A group is open while it waits
    /// for its window (`next_attempt_at` still ahead, no attempt made): the dispatcher only takes
    /// rows whose time has come, so a group it may be sending is never rewritten underneath it.
    static func recordGrouped(_ delivery: Delivery, request: Data, in db: Database, now: Date) throws {
        let open = try Row.fetchOne(db, sql: """
            SELECT id, uid FROM deliveries
            WHERE job_id = ? AND rule = ? AND receiver = ? AND state = 'pending' AND attempts = 0
                AND next_attempt_at > ? AND substr(id, 1, 4) = ?
            ORDER BY created_at, id LIMIT 1
            """, arguments: [delivery.jobID, delivery.rule, delivery.receiver, now.timeIntervalSince1970, Grouping.idPrefix])
        guard let open else {
            try db.execute(sql: """
                INSERT OR IGNORE INTO deliveries (id, receiver, rule, job_id, uid, transition, request, state,
                    attempts, created_at, next_attempt_at, last_error, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: insertArguments(delivery, request: request))
            return
        }
        let groupID: String = open["id"]
        guard Grouping.replaces(openUID: open["uid"], incoming: delivery) else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let joined = try encoder.encode(Grouping.request(of: delivery, joining: groupID))
        try db.execute(sql: "UPDATE deliveries SET request = ?, uid = ?, transition = ? WHERE id = ?",
                       arguments: [joined, delivery.uid, delivery.transition, groupID])
    }
}
