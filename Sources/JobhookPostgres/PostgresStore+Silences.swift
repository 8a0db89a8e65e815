public import Foundation
public import JobhookCore
import PostgresNIO

extension PostgresStore {
    public func addSilence(_ silence: Silence) async throws(StoreError) {
        let matchers = SQLiteStore.encode(silence.matchers)
        _ = try await rows("""
            INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment)
            VALUES (\(silence.id), \(matchers), \(silence.startsAt.timeIntervalSince1970), \(silence.endsAt.timeIntervalSince1970),
                \(silence.createdBy), \(silence.comment))
            """)
    }

    /// Not ended first, soonest end first; then (with `includingEnded`) the ended ones, most recent first.
    public func silences(now: Date, includingEnded: Bool) async throws(StoreError) -> [Silence] {
        let t = now.timeIntervalSince1970
        let rows = try await rows("""
            SELECT id, matchers, starts_at, ends_at, created_by, comment FROM silences
            WHERE ends_at > \(t) OR \(includingEnded)
            ORDER BY (ends_at > \(t)) DESC, CASE WHEN ends_at > \(t) THEN ends_at ELSE -ends_at END, id
            """)
        return try decode(rows) { row in
            let (id, matchers, startsAt, endsAt, createdBy, comment) = try row.decode((String, String, Double, Double, String, String).self)
            return Silence(id: id, matchers: SQLiteStore.decodeMatchers(matchers), startsAt: Date(timeIntervalSince1970: startsAt),
                           endsAt: Date(timeIntervalSince1970: endsAt), createdBy: createdBy, comment: comment)
        }
    }

    public func expireSilence(_ id: String, now: Date) async throws(StoreError) -> Bool {
        let t = now.timeIntervalSince1970
        return try await !rows("UPDATE silences SET ends_at = \(t) WHERE id = \(id) AND ends_at > \(t) RETURNING 1").isEmpty
    }
}
