public import Foundation
import GRDB

extension SQLiteStore {
    /// Reads the whole store in one read transaction (a consistent snapshot while a daemon writes),
    /// for `jobhook state copy`.
    public func contents() async throws(StoreError) -> StoreContents {
        let path = path
        return try await read { db in
            var contents = StoreContents()
            contents.watches = try Row.fetchAll(db, sql: "SELECT * FROM watches ORDER BY added_at, job_id").map(Self.watch(from:))
            contents.phases = try Row.fetchAll(db, sql: "SELECT uid, phase, job_id, updated_at FROM phases ORDER BY uid").map { row in
                StoreContents.Phase(uid: row["uid"], phase: row["phase"], jobID: row["job_id"],
                                    updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
            }
            for row in try Row.fetchAll(db, sql: "SELECT account, taken_at FROM discovery_baselines") {
                contents.baselines[row["account"]] = Date(timeIntervalSince1970: row["taken_at"])
            }
            let deliveries = try Row.fetchCursor(db, sql: "SELECT * FROM deliveries ORDER BY created_at, id")
            while let row = try deliveries.next() { contents.deliveries.append(try Self.decode(row, path: path)) }
            contents.silences = try Row.fetchAll(db, sql: "SELECT * FROM silences ORDER BY starts_at, id").map { row in
                Silence(id: row["id"], matchers: Self.decodeMatchers(row["matchers"]),
                        startsAt: Date(timeIntervalSince1970: row["starts_at"]), endsAt: Date(timeIntervalSince1970: row["ends_at"]),
                        createdBy: row["created_by"], comment: row["comment"])
            }
            for row in try Row.fetchAll(db, sql: "SELECT message_id, received_at FROM intake_messages") {
                contents.intakeMessages[row["message_id"]] = Date(timeIntervalSince1970: row["received_at"])
            }
            return contents
        }
    }
}
