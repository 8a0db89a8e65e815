public import Foundation
public import JobhookCore
import PostgresNIO

extension PostgresStore {
    /// The job's groups still open at `now` (never attempted, window ahead), the oldest per key.
    /// Served by the partial index `deliveries_open_groups`.
    public func openGroups(jobID: String, now: Date) async throws(StoreError) -> [GroupKey: String] {
        let rows = try await rows("""
            SELECT id, group_key FROM deliveries
            WHERE job_id = \(jobID) AND group_key IS NOT NULL AND state = 'pending' AND attempts = 0
                AND next_attempt_at > \(now.timeIntervalSince1970)
            ORDER BY created_at, id
            """)
        var groups: [GroupKey: String] = [:]
        for (id, storageKey) in try decode(rows, { try $0.decode((String, String).self) }) {
            guard let key = GroupKey(storageKey: storageKey) else { continue }
            if groups[key] == nil { groups[key] = id }
        }
        return groups
    }
}
