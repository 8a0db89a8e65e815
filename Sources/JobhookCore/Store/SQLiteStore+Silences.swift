public import Foundation
import GRDB

extension SQLiteStore {
    public func addSilence(_ silence: Silence) async throws(StoreError) {
        let matchers = Self.encode(silence.matchers)
        try await write { db in
            try db.execute(sql: """
                INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [silence.id, matchers, silence.startsAt.timeIntervalSince1970, silence.endsAt.timeIntervalSince1970,
                                 silence.createdBy, silence.comment])
        }
    }

    public func silences(now: Date, includingEnded: Bool) async throws(StoreError) -> [Silence] {
        try await read { db in
            // Not ended first, soonest end first; then the ended ones, most recent first.
            let t = now.timeIntervalSince1970
            let rows = try Row.fetchAll(db, sql: """
                SELECT *, ends_at > ? AS open FROM silences WHERE open OR ?
                ORDER BY open DESC, CASE WHEN open THEN ends_at ELSE -ends_at END, id
                """, arguments: [t, includingEnded])
            return rows.map { row in
                Silence(id: row["id"], matchers: Self.decodeMatchers(row["matchers"]),
                        startsAt: Date(timeIntervalSince1970: row["starts_at"]), endsAt: Date(timeIntervalSince1970: row["ends_at"]),
                        createdBy: row["created_by"], comment: row["comment"])
            }
        }
    }

    public func expireSilence(_ id: String, now: Date) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE silences SET ends_at = ? WHERE id = ? AND ends_at > ?",
                           arguments: [now.timeIntervalSince1970, id, now.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    package static func encode(_ matchers: [SilenceMatcher]) -> String {
        let rows = matchers.map { [$0.key, $0.value, $0.isRegex ? "1" : "0"] }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: rows)) ?? Data("[]".utf8), as: UTF8.self)
    }

    package static func decodeMatchers(_ text: String) -> [SilenceMatcher] {
        guard let rows = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String]] else { return [] }
        return rows.compactMap { row in row.count == 3 ? SilenceMatcher(key: row[0], value: row[1], isRegex: row[2] == "1") : nil }
    }
}
