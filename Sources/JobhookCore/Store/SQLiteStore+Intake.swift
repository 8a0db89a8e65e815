public import Foundation
import GRDB

extension SQLiteStore {
    public func intakeMessageSeen(_ messageID: String) async throws(StoreError) -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM intake_messages WHERE message_id = ?)", arguments: [messageID]) ?? false
        }
    }

    public func recordIntakeMessage(_ messageID: String, at: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: "INSERT INTO intake_messages (message_id, received_at) VALUES (?, ?) ON CONFLICT (message_id) DO NOTHING",
                           arguments: [messageID, at.timeIntervalSince1970])
        }
    }

    public func pruneIntakeMessages(before: Date) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM intake_messages WHERE received_at < ?", arguments: [before.timeIntervalSince1970])
            return db.changesCount
        }
    }
}
