public import Foundation
public import JobhookCore
import PostgresNIO

extension PostgresStore {
    public func intakeMessageSeen(_ messageID: String) async throws(StoreError) -> Bool {
        try await !rows("SELECT 1 FROM intake_messages WHERE message_id = \(messageID)").isEmpty
    }

    /// Insert-or-ignore: replicas receiving the same SMN message record it once.
    public func recordIntakeMessage(_ messageID: String, at: Date) async throws(StoreError) {
        _ = try await rows("""
            INSERT INTO intake_messages (message_id, received_at) VALUES (\(messageID), \(at.timeIntervalSince1970))
            ON CONFLICT (message_id) DO NOTHING
            """)
    }

    public func pruneIntakeMessages(before: Date) async throws(StoreError) -> Int {
        try await count("""
            WITH gone AS (DELETE FROM intake_messages WHERE received_at < \(before.timeIntervalSince1970) RETURNING 1)
            SELECT count(*) FROM gone
            """)
    }
}
